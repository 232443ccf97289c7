/** The parts of redis-parser 3 (the RESP parser ioredis uses) that slotpilot calls; it ships no types. */
declare module 'redis-parser' {
  interface ParserOptions {
    returnReply(reply: unknown): void;
    returnError(error: Error): void;
    returnFatalError?(error: Error): void;
    returnBuffers?: boolean;
    stringNumbers?: boolean;
  }
  export default class RedisParser {
    constructor(options: ParserOptions);
    execute(data: Buffer): void;
    setReturnBuffers(returnBuffers: boolean): void;
    reset(): void;
  }
}
