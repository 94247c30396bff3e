/** A connection's `pageInfo`, read from the first bytes of an answer before the rest has arrived. */
export interface EarlyPageInfo {
	endCursor: string | null;
	hasNextPage: boolean;
}

/** The answer ended (so far) in the middle of what the scan needs: wait for more bytes. */
export const PAGE_INFO_NOT_YET = Symbol('more');

/** Most bytes looked at before giving up: `pageInfo` selected first sits in the first hundred or so. */
export const EARLY_SCAN_LIMIT = 64 * 1024;

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/**
 * Finds `pageInfo` in the beginning of a JSON answer: the object at `path` (e.g. `data.demarche.
 * dossiers.pageInfo`) whose members come before any other big member of the connection when the
 * document selects `pageInfo` before `nodes` (the platform's graphql-ruby writes fields in selection
 * order). `PAGE_INFO_NOT_YET` when the text stops before it is complete, null when the answer does not have it
 * there (data null, a different shape, `nodes` first: the caller then waits for the whole answer).
 * Tolerant of anything before it (`errors` first, other fields), of escapes in strings; the value is
 * decoded by JSON.parse itself.
 */
export function scanPageInfo(text: string, path: string[]): EarlyPageInfo | null | typeof PAGE_INFO_NOT_YET {
	let at = 0;
	const skipSpace = () => {
		while (at < text.length && WHITESPACE.has(text[at])) at++;
		if (at >= text.length) throw PAGE_INFO_NOT_YET;
	};
	/** End (exclusive) of the string token starting at `start` (a quote). */
	const stringEnd = (start: number): number => {
		for (let i = start + 1; i < text.length; i++) {
			const c = text[i];
			if (c === '\\') i++;
			else if (c === '"') return i + 1;
		}
		throw PAGE_INFO_NOT_YET;
	};
	/** End (exclusive) of the value starting at `start`. */
	const valueEnd = (start: number): number => {
		const first = text[start];
		if (first === '"') return stringEnd(start);
		if (first === '{' || first === '[') {
			let depth = 0;
			for (let i = start; i < text.length; i++) {
				const c = text[i];
				if (c === '"') i = stringEnd(i) - 1;
				else if (c === '{' || c === '[') depth++;
				else if (c === '}' || c === ']') {
					depth--;
					if (depth === 0) return i + 1;
				}
			}
			throw PAGE_INFO_NOT_YET;
		}
		// A number or a literal: it ends at a delimiter (the text may stop in the middle of it).
		for (let i = start; i < text.length; i++) {
			const c = text[i];
			if (c === ',' || c === '}' || c === ']' || WHITESPACE.has(c)) return i;
		}
		throw PAGE_INFO_NOT_YET;
	};

	try {
		skipSpace();
		if (text[at] !== '{') return null;
		at++;
		// Inside the object at path[0..depth): look for path[depth] among its members.
		let depth = 0;
		for (;;) {
			skipSpace();
			const c = text[at];
			if (c === '}') return null;
			if (c === ',') {
				at++;
				continue;
			}
			if (c !== '"') return null;
			const keyEnd = stringEnd(at);
			const key = JSON.parse(text.slice(at, keyEnd)) as string;
			at = keyEnd;
			skipSpace();
			if (text[at] !== ':') return null;
			at++;
			skipSpace();
			if (key !== path[depth]) {
				at = valueEnd(at);
				continue;
			}
			if (depth === path.length - 1) {
				const end = valueEnd(at);
				return pageInfoOf(JSON.parse(text.slice(at, end)));
			}
			if (text[at] !== '{') return null;
			at++;
			depth++;
		}
	} catch (error) {
		if (error === PAGE_INFO_NOT_YET) return PAGE_INFO_NOT_YET;
		// Not JSON after all: the whole answer will say what it is.
		return null;
	}
}

function pageInfoOf(value: unknown): EarlyPageInfo | null {
	const info = value as { endCursor?: unknown; hasNextPage?: unknown } | null;
	if (!info || typeof info !== 'object' || typeof info.hasNextPage !== 'boolean') return null;
	if (info.endCursor !== null && typeof info.endCursor !== 'string') return null;
	return { endCursor: info.endCursor, hasNextPage: info.hasNextPage };
}

/**
 * Watches the chunks of one answer as they arrive and reports `pageInfo` once, as soon as its bytes
 * are there. Keeps at most EARLY_SCAN_LIMIT bytes for itself; gives up past them or when the answer
 * has no `pageInfo` where expected.
 */
export class PageInfoWatcher {
	private head: Buffer[] = [];

	private bytes = 0;

	private done = false;

	constructor(
		private readonly path: string[],
		private readonly onFound: (info: EarlyPageInfo) => void,
		private readonly limit: number = EARLY_SCAN_LIMIT,
	) {}

	push(chunk: Buffer): void {
		if (this.done) return;
		this.head.push(chunk);
		this.bytes += chunk.length;
		// Whole characters only matter inside the tokens read; a split one leaves a token incomplete.
		const found = scanPageInfo(Buffer.concat(this.head).toString('utf8'), this.path);
		if (found === PAGE_INFO_NOT_YET && this.bytes < this.limit) return;
		this.done = true;
		this.head = [];
		if (found && found !== PAGE_INFO_NOT_YET) this.onFound(found);
	}
}
