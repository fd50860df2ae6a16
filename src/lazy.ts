/**
 * A module loaded on first use, once. The protocol libraries cost megabytes of resident memory each
 * (axios about 21 MB and mqtt 18 before they were replaced, basic-ftp 15, ssh2 14, net-snmp 12 on Node 20;
 * BENCHMARKS.md "Memory"), so a
 * scan imports only those its devices speak: the loader runs when the first job that needs it starts.
 * A failed load is not cached (the next job tries again and reports its own error).
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((e: unknown) => {
      loading = undefined;
      throw e;
    });
    return loading;
  };
}
