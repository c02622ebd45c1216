/**
 * Terraform's output as Terraform wrote it, whichever way it reached us: `terraform` itself (colours unless
 * -no-color), or `cdktf deploy`, which prefixes each line with "<stack>  " (and indents the lines it wraps).
 */

const COLOUR = /\x1b\[[0-9;]*m/g;

/** The text without ANSI colour codes. */
export function withoutColour(text: string): string {
  return text.replace(COLOUR, '');
}

/**
 * One line without colours, cdktf's "<stack>  " prefix and the box Terraform draws around a diagnostic
 * ("│ Error: ...", "╷", "╵"): `local  │ Error: creating ...` -> `Error: creating ...`.
 */
export function terraformLine(raw: string): string {
  return withoutColour(raw)
    .replace(/^\S+ {2}(?=\S)/, '')
    .replace(/^\s*[│╷╵] ?/, '');
}

/** Every line of an output, as `terraformLine` gives it. */
export function terraformLines(output: string): string[] {
  return output.split('\n').map(terraformLine);
}
