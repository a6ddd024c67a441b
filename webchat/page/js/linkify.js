// Splits plain text into text and link pieces, so the view can build links as elements and
// never parse markup. Only http(s) addresses become links: full URLs, and bare web addresses
// on the domains the assistant's answers use (gov.uk, org.uk, ...), which get https://.

const ADDRESS = /https?:\/\/[^\s<>"']+|(?<![@\w.\/-])(?:www\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.(?:gov\.uk|org\.uk|ac\.uk|nhs\.uk|co\.uk)(?:\/[^\s<>"']*)?/gi;
const TRAILING = /[.,;:!?)\]'"]+$/;

export function safeHref(address) {
  const candidate = /^https?:\/\//i.test(address) ? address : `https://${address}`;
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
