// Error paths echo what they were given (a wrong argument, a path that could not be read), and a connection
// URL pasted in the wrong place carries its password. Everything a command prints passes through here, so no
// echo can show one: user:password@ becomes user:***@ and password=… parameters become password=***.
// `path.resolve` turns "postgresql://u:pw@h" into ".../postgresql:/u:pw@h", hence one or more slashes; a
// password may hold an unencoded "@", hence up to the last "@" of the word.
const USERINFO = /\b(postgres(?:ql)?|rediss?)(:\/+)([^\s:/@]*):\S*@/gi;
const PASSWORD_PARAMETER = /(password=)[^\s&#]*/gi;

/** The text with the credentials of every postgres(ql):// or redis(s):// URL in it replaced by ***. */
export function redactSecrets(text: string): string {
  return text.replace(USERINFO, "$1$2$3:***@").replace(PASSWORD_PARAMETER, "$1***");
}
