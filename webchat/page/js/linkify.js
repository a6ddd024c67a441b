// Splits plain text into text and link pieces, so the view can build links as elements and
// never parse markup. Three kinds of link come out, each with an href built here from a
// checked match, never from markup:
// - web: full http(s) URLs, and bare web addresses on the domains the assistant's answers use
//   (gov.uk, org.uk, ...), which get https://;
// - email: email addresses ("LRS.Support@education.gov.uk"), as mailto: with the address only;
// - phone: UK telephone numbers ("0345 602 2589", "+44 345 602 2589", "0800 1111") and the
//   short helpline numbers the safety answers give (999, 111, 116 123), as tel: with digits only.

const LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
const BARE = `(?:(?:${LABEL}\\.)+(?:gov|org|ac|nhs|co)\\.uk|gov\\.uk)`;
const WEB = `https?:\\/\\/[^\\s<>"']+|(?<![@\\w.\\/-])${BARE}(?:\\/[^\\s<>"']*)?`;
// An address with no quotes, brackets, spaces or "?" in it: nothing can be added to the mailto:.
const LOCAL = "[a-z0-9](?:[a-z0-9._%+-]*[a-z0-9_%+-])?";
const EMAIL = `(?<![\\w.%+\\-:/@])${LOCAL}@(?:${LABEL}\\.)+[a-z]{2,}(?![\\w@-])`;
// A UK number: 0 and 9 or 10 more digits, or +44 and 9 or 10, each digit after the first
// possibly after one space or hyphen ("0345 602 2589"); a short freephone number ("0800 1111");
// or a short helpline number. The regex counts the digits, so "0345 602 2589 10 days" links
// the number only. Not inside a longer number, a reference or a web address.
const SPACED = (count) => `(?:[ -]?\\d){${count}}`;
const PHONE = `(?<![\\w+\\-\\/.])(?:\\+44[ -]?(?:\\(0\\)[ -]?)?[1-9]${SPACED("8,9")}|0[1-9]${SPACED("8,9")}` +
  `|080[08]${SPACED("4,6")}|999|111|116[ -]?\\d{3})(?![\\w\\-\\/]|[.,]\\d)`;
const PIECES = new RegExp(`(?<email>${EMAIL})|(?<web>${WEB})|(?<phone>${PHONE})`, "gi");
const TRAILING = /[.,;:!?)\]'"]+$/;
const EMAIL_ONLY = new RegExp(`^${LOCAL}@(?:${LABEL}\\.)+[a-z]{2,}$`, "i");

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

// "mailto:" and the address, or null: nothing but a plain address (no "?subject=", no second
// recipient, no markup) ever becomes a mailto: link.
export function mailtoHref(address) {
  const text = String(address ?? "");
  if (text.length > 254 || !EMAIL_ONLY.test(text)) return null;
  return `mailto:${text}`;
}

// The number's digits, as a UK number is dialled: "+44" then the national number without its
// leading 0, or the national number itself; null for anything else.
function phoneDigits(number) {
  const text = String(number ?? "").trim();
  if (!/^\+?[\d ()-]+$/.test(text)) return null;
  const digits = text.replace(/\(0\)/, "").replace(/[^\d+]/g, "");
  if (/^(?:999|111|116\d{3})$/.test(digits)) return digits;
  if (/^\+44[1-9]\d{8,9}$/.test(digits)) return digits;
  // National numbers: 10 or 11 digits; 0800 and 0808 freephone numbers may be shorter ("0800 1111").
  if (/^0[1-9]\d{8,9}$/.test(digits) || /^080[08]\d{4,6}$/.test(digits)) return digits;
  return null;
}

// "tel:" and the digits only, or null when the text is not a UK phone number.
export function telHref(number) {
  const digits = phoneDigits(number);
  return digits ? `tel:${digits}` : null;
}

function piece(match) {
  const { email, web, phone } = match.groups;
  if (email) {
    const href = mailtoHref(email);
    return href && { type: "link", kind: "email", text: email, href };
  }
  if (web) {
    let address = web;
    const trailing = address.match(TRAILING);
    if (trailing) address = address.slice(0, -trailing[0].length);
    const href = address ? safeHref(address) : null;
    return href && { type: "link", kind: "web", text: address, href };
  }
  const href = telHref(phone);
  return href && { type: "link", kind: "phone", text: phone, href };
}

export function segments(input) {
  const text = String(input ?? "");
  const pieces = [];
  let last = 0;
  for (const match of text.matchAll(PIECES)) {
    if (match.index < last) continue;
    const link = piece(match);
    if (!link) continue;
    if (match.index > last) pieces.push({ type: "text", text: text.slice(last, match.index) });
    pieces.push(link);
    last = match.index + link.text.length;
  }
  if (last < text.length) pieces.push({ type: "text", text: text.slice(last) });
  return pieces;
}
