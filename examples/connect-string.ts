/** Where the examples connect: $ZK_CONNECT, else the tutorial's single local server. */
export const CONNECT = process.env.ZK_CONNECT ?? '127.0.0.1:2181';
