/** BullMQ job ids may not contain ':' and must not look like integers. */
export function bullJobId(deliveryId: string): string {
  return `d-${encodeURIComponent(deliveryId)}`;
}
