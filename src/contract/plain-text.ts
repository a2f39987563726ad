// The contract's descriptions are CommonMark, for the rendered docs; messages a person reads in a
// terminal or a log get them as plain text: code spans, emphasis and links unwrapped.
export function plainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, "$1 ($2)")
    .replace(/(`+)([^`]|[^`].*?[^`])\1(?!`)/g, (_match, _ticks: string, code: string) => code.trim())
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, "$2")
    .replace(/(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])/g, "$1")
    .replace(/\s*\n\s*/g, " ")
    .trim();
}
