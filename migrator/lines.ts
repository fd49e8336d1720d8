// Lines and characters of a file's text, for messages that point at a line.

/** Offsets where lines start; a line break is \n, \r\n or a lone \r. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  if (text.indexOf("\r") < 0) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    return starts;
  }
  const lineBreak = /\r\n?|\n/g;
  while (lineBreak.exec(text)) starts.push(lineBreak.lastIndex);
  return starts;
}

/** 1-based line of `offset`, by binary search over lineStarts(). */
export function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** PostgreSQL counts characters (code points); JavaScript indexes UTF-16 units. */
export function codePointsToIndex(text: string, codePoints: number): number {
  let index = 0;
  for (let n = 0; n < codePoints && index < text.length; n++) {
    const c = text.charCodeAt(index);
    index += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return index;
}
