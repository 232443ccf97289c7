/**
 * What the mixed load needs from a cluster client library, so ioredis and node-redis run the same
 * workload. Each method rejects with the library's own error, as the application would get it.
 */
export interface LoadClient {
  readonly name: 'ioredis' | 'node-redis' | 'node-redis-6';
  set(key: string, value: string): Promise<void>;
  get(key: string): Promise<string | null>;
  mset(pairs: ReadonlyArray<readonly [string, string]>): Promise<void>;
  mget(keys: readonly string[]): Promise<Array<string | null>>;
  /** MULTI · INCR `counter` · SET `key` `value` · EXEC; resolves with INCR's result. */
  incrInMulti(counter: string, key: string, value: string): Promise<number>;
  close(): Promise<void>;
}

export type ClientName = LoadClient['name'];
export const CLIENT_NAMES: readonly ClientName[] = ['ioredis', 'node-redis', 'node-redis-6'];
