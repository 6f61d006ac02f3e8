// The allergen matcher of kds_contract/allergens.py, in JavaScript: the same word list (sent
// by the server) and the same rules (see that module's docstring). Finds every allergen
// word in a text; the board marks them, it never hides or reorders a word.

const UNSPACED = [
  [0x0e00, 0x0eff], [0x1000, 0x109f], [0x1100, 0x11ff], [0x1780, 0x17ff],
  [0x2e80, 0x9fff], [0xac00, 0xd7af], [0xf900, 0xfaff], [0x20000, 0x3ffff],
];
const WORD = "[\\p{L}\\p{M}\\p{N}_]";

function unspaced(word) {
  for (const ch of word) {
    const code = ch.codePointAt(0);
    if (UNSPACED.some(([lo, hi]) => code >= lo && code <= hi)) return true;
  }
  return false;
}

function escape(text) {
  // Only syntax characters: with the "u" flag any other escape ("\-") is an error.
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function pattern(word) {
  const prefix = word.endsWith("*");
  const stem = word.replace(/\*+$/, "").trim();
  const body = stem.split(/\s+/).map(escape).join("[\\s\\-]+");
  if (unspaced(stem)) return body;
  const tail = prefix ? `${WORD}*` : `(?:e?s)?(?!${WORD})`;
  return `(?<!${WORD})${body}${tail}`;
}

/** A matcher for the list the server sent (``Allergens.wire()``). */
export function allergenMatcher(wire) {
  const entries = [];
  for (const [group, words] of Object.entries((wire && wire.groups) || {})) {
    for (const word of words) {
      for (const form of new Set([word.normalize("NFC"), word.normalize("NFD")])) entries.push([form, group]);
    }
  }
  entries.sort((a, b) => b[0].replace(/\*+$/, "").length - a[0].replace(/\*+$/, "").length);
  const groups = entries.map(([, group]) => group);
  const source = entries.map(([word]) => `(${pattern(word)})`).join("|") || "(?!)";
  const regex = new RegExp(source, "giu");
  return {
    mark: (wire && wire.mark) || "⚠",
    /** Every allergen word in ``text``: [{start, end, allergen}], in order. */
    find(text) {
      const found = [];
      if (!text) return found;
      regex.lastIndex = 0;
      for (const match of text.matchAll(regex)) {
        if (!match[0]) continue;
        const index = match.findIndex((part, n) => n > 0 && part !== undefined);
        found.push({ start: match.index, end: match.index + match[0].length, allergen: groups[index - 1] });
      }
      return found;
    },
  };
}

/** ``text`` as DOM nodes with each allergen word in a <mark class="allergen">. */
export function markAllergens(matcher, text) {
  const nodes = [];
  let at = 0;
  for (const { start, end } of matcher.find(text)) {
    if (start > at) nodes.push(document.createTextNode(text.slice(at, start)));
    const mark = document.createElement("mark");
    mark.className = "allergen";
    mark.textContent = text.slice(start, end);
    nodes.push(mark);
    at = end;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}
