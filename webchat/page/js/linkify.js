// Splits plain text into text and link pieces, so the view can build links as elements and
// never parse markup. Only http(s) addresses become links: full URLs, and bare web addresses
// on the domains the assistant's answers use (gov.uk, org.uk, ...), which get https://.

const LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
const BARE = `(?:(?:${LABEL}\\.)+(?:gov|org|ac|nhs|co)\\.uk|gov\\.uk)`;
const ADDRESS = new RegExp(`https?:\\/\\/[^\\s<>"']+|(?<![@\\w.\\/-])${BARE}(?:\\/[^\\s<>"']*)?`, "gi");
const TRAILING = /[.,;:!?)\]'"]+$/;

export function safeHref(address) {
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(address);
  if (hasScheme && !/^https?:\/\//i.test(address)) return null;
  const candidate = hasScheme ? address : `https://${address}`;
  let url;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username || url.password) return null;
  return url.href;
}

export function segments(text) {
  const pieces = [];
  let last = 0;
  for (const match of text.matchAll(ADDRESS)) {
    let address = match[0];
    const trailing = address.match(TRAILING);
    if (trailing) address = address.slice(0, -trailing[0].length);
    const href = address ? safeHref(address) : null;
    if (!href) continue;
    if (match.index > last) pieces.push({ type: "text", text: text.slice(last, match.index) });
    pieces.push({ type: "link", text: address, href });
    last = match.index + address.length;
  }
  if (last < text.length) pieces.push({ type: "text", text: text.slice(last) });
  return pieces;
}
