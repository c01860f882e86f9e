/** A failure the benchmark explains itself: reported by its message, without a stack trace. */
export class BenchError extends Error {
  override name = "BenchError";
}
