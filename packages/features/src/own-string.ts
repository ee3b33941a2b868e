/**
 * A flat copy of `text` for the state to keep. V8 represents a substring of 13 or more
 * characters as a view into its parent, so an id or a key sliced from a 1 MiB chunk of a CSV
 * file (or from a request body) would keep the whole chunk alive for as long as the state holds
 * it: replaying a log then retained nearly the whole file. Concatenating and slicing makes V8
 * copy just these characters (shorter strings are copied already).
 */
export function ownString(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}
