/**
 * Every conversion of a champ or annotation value, in both directions, so that each rule has one
 * home:
 *  - reading what the platform sends (simplified dossiers, file sizes): lenient, never throws; a
 *    value that does not convert is kept as the platform wrote it (`…OrText`, `…OrNull`);
 *  - writing what a user gives (annotation inputs, prefill): strict, `parse…` throws an
 *    InvalidValueError that says what is expected.
 * Also the keys champs get in the simplified dossier (uniqueKeys), which the descriptor lookup and
 * the file listing share.
 */

/** A value that cannot be written; the message says why and what is expected. */
export class InvalidValueError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'InvalidValueError';
	}
}

/** What the platform sends for "no value": null, nothing, or an empty string. */
export const isAbsent = (value: unknown): boolean => value === null || value === undefined || value === '';

/** What a user leaves empty: nothing, or a string of spaces. */
export function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

// --- reading: what the platform sends ----------------------------------------------------------

/** Integers the platform sends as BigInt strings: a number when exact, else the string. */
export function integerOrText(value: unknown): number | string | null {
	if (isAbsent(value)) return null;
	const text = String(value).trim();
	if (!/^-?\d+$/.test(text)) return text;
	const number = Number(text);
	return Number.isSafeInteger(number) ? number : text;
}

/** Decimals: a number, accepting the French decimal comma of `stringValue`. */
export function decimalOrText(value: unknown): number | string | null {
	if (isAbsent(value)) return null;
	if (typeof value === 'number') return value;
	const text = String(value).trim().replace(/\s/g, '').replace(',', '.');
	const number = Number(text);
	return Number.isFinite(number) ? number : String(value);
}

/** Booleans from a value or a `stringValue` ("true", "Oui", "false", "Non"); null otherwise. */
export function booleanOrNull(value: unknown): boolean | null {
	if (typeof value === 'boolean') return value;
	if (isAbsent(value)) return null;
	const text = String(value).trim().toLowerCase();
	if (['true', 'oui', 'yes', 'on', '1'].includes(text)) return true;
	if (['false', 'non', 'no', 'off', '0'].includes(text)) return false;
	return null;
}

// --- writing: what a user gives ------------------------------------------------------------------

/** The largest value of the API's `Int`. */
export const INT_MAX = 2_147_483_647;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'oui', 'o', 'on', 'x', 'checked', 'vrai']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'non', 'off', '', 'unchecked', 'faux']);

export function parseBoolean(value: unknown): boolean {
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
	const word = String(value ?? '').trim().toLowerCase();
	if (TRUE_WORDS.has(word)) return true;
	if (FALSE_WORDS.has(word)) return false;
	throw new InvalidValueError(`"${String(value)}" is not a yes/no value: use true or false`);
}

// Dates and times: resolve/dates.ts (read in the workflow's time zone).

/** A whole number within the API's `Int` range; spaces (thousands separators) are forgiven. */
export function parseInteger(value: unknown): number {
	const text = typeof value === 'number' ? String(value) : String(value ?? '').replace(/[\s\u00a0\u202f]/g, '');
	if (!/^[-+]?\d+$/.test(text)) throw new InvalidValueError(`"${String(value)}" is not a whole number`);
	const number = Number(text);
	if (Math.abs(number) > INT_MAX) {
		throw new InvalidValueError(
			`${text} is beyond what the API accepts for integer annotations (±${INT_MAX})`,
		);
	}
	return number;
}

/** A finite number; the French decimal comma and spaces are forgiven. */
export function parseDecimal(value: unknown): number {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	const text = String(value ?? '')
		.replace(/[\s\u00a0\u202f]/g, '')
		.replace(',', '.');
	const number = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : NaN;
	if (!Number.isFinite(number)) throw new InvalidValueError(`"${String(value)}" is not a number`);
	return number;
}

// --- keys ----------------------------------------------------------------------------------------

/**
 * Label → key, a repeated label getting " (2)", " (3)"… in form order. The simplified dossier, the
 * descriptor lookup and the file listing all use it, so "Commentaire (2)" names the same field
 * everywhere.
 */
export function uniqueKeys(labels: string[]): string[] {
	const seen = new Map<string, number>();
	const taken = new Set(labels);
	return labels.map((label) => {
		const count = (seen.get(label) ?? 0) + 1;
		seen.set(label, count);
		if (count === 1) return label;
		let key = `${label} (${count})`;
		// A form may hold a champ literally named "Commentaire (2)": never overwrite it.
		while (taken.has(key)) key = `${key} (${count})`;
		taken.add(key);
		return key;
	});
}
