/**
 * Where an agent's session state waits between two turns on one pull request: a tar of the files
 * the agent keeps its conversation in (see `AgentProfile.sessionState`), read out of the sandbox at
 * the end of a turn and written back into a new sandbox when the old one is gone.
 */
export interface SessionStore {
  readonly name: string;
  save(key: string, data: Uint8Array): Promise<void>;
  /** The saved state, or undefined when there is none. */
  load(key: string): Promise<Uint8Array | undefined>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}
