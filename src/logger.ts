/** The log lines the app writes (Probot's pino logger fits it); every room logs through this one shape. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
