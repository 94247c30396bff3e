import { InvalidValueError } from '../output/values';

/**
 * Dates and times as the user means them. A value that carries no offset (`2026-03-31 14:30`,
 * `31/03/2026`, n8n's date picker) is read in the workflow's time zone (`this.getTimezone()`, as
 * n8n's own nodes do), and sent to the platform with an explicit offset, so the platform never
 * guesses (it reads a bare date-time in its own process zone through GraphQL, in Paris time for
 * prefill). A value with an offset, a JS Date or a Luxon DateTime is an instant already.
 * One home for every date input: Get Many's since-filters, the trigger's start date, date and
 * date-time annotations, prefill dates.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether the runtime knows a time zone name. */
function knownZone(timeZone: string): boolean {
	try {
		new Intl.DateTimeFormat('en-US', { timeZone });
		return true;
	} catch {
		return false;
	}
}

function formatter(timeZone: string): Intl.DateTimeFormat {
	let existing = formatters.get(timeZone);
	if (!existing) {
		if (!knownZone(timeZone)) {
			throw new InvalidValueError(`"${timeZone}" is not a time zone: set the workflow's time zone in its settings`);
		}
		existing = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
		});
		formatters.set(timeZone, existing);
	}
	return existing;
}

/** The wall clock of an instant in a zone. */
function wallClock(ms: number, timeZone: string) {
	const parts = Object.fromEntries(
		formatter(timeZone)
			.formatToParts(new Date(ms))
			.filter((p) => p.type !== 'literal')
			.map((p) => [p.type, Number(p.value)]),
	) as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
	return parts;
}

/** The zone's offset from UTC at an instant, in minutes. */
export function offsetMinutes(ms: number, timeZone: string): number {
	const c = wallClock(ms, timeZone);
	const asUtc = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
	return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/**
 * The instant a wall-clock time names in a zone. A time that does not exist (the hour skipped when
 * clocks go forward) moves forward by that hour.
 */
function instantOf(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, timeZone: string): number {
	const local = Date.UTC(y, mo - 1, d, h, mi, s, ms);
	const guess = local - offsetMinutes(local, timeZone) * 60000;
	return local - offsetMinutes(guess, timeZone) * 60000;
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** `2026-03-31T14:30:00+02:00`: the instant with the zone's offset, whole seconds. */
export function isoInZone(ms: number, timeZone: string): string {
	const c = wallClock(ms, timeZone);
	const offset = offsetMinutes(ms, timeZone);
	const sign = offset < 0 ? '-' : '+';
	return `${c.year}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}${sign}${pad(Math.trunc(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** A JS Date or a Luxon DateTime from an n8n expression: its instant, and Luxon's own zone. */
function dateObject(value: unknown): { ms: number; zone?: string } | undefined {
	if (value instanceof Date) return Number.isFinite(value.getTime()) ? { ms: value.getTime() } : undefined;
	const luxon = value as { toMillis?: () => number; zoneName?: string; isValid?: boolean } | null;
	if (luxon && typeof luxon === 'object' && typeof luxon.toMillis === 'function' && luxon.isValid !== false) {
		return { ms: luxon.toMillis(), zone: luxon.zoneName ?? undefined };
	}
	return undefined;
}

const validDate = (y: number, m: number, d: number) => {
	const date = new Date(Date.UTC(y, m - 1, d));
	return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

interface Parsed {
	date: [number, number, number];
	time?: [number, number, number, number];
	/** Minutes east of UTC, when the text carries an offset (Z = 0). */
	offset?: number;
}

/** `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH[:]MM]` or `DD/MM/YYYY[ HH:MM[:SS]]`. */
function parseText(text: string): Parsed | undefined {
	let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
	if (m) {
		const offsetText = m[8];
		let offset: number | undefined;
		if (offsetText) {
			if (/^z$/i.test(offsetText)) offset = 0;
			else {
				const digits = offsetText.replace(':', '');
				offset = (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
			}
		}
		const time: [number, number, number, number] | undefined =
			m[4] !== undefined ? [Number(m[4]), Number(m[5]), Number(m[6] ?? 0), Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3))] : undefined;
		if (offset !== undefined && !time) return undefined;
		return { date: [Number(m[1]), Number(m[2]), Number(m[3])], time, offset };
	}
	m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
	if (m) {
		const time: [number, number, number, number] | undefined =
			m[4] !== undefined ? [Number(m[4]), Number(m[5]), Number(m[6] ?? 0), 0] : undefined;
		return { date: [Number(m[3]), Number(m[2]), Number(m[1])], time };
	}
	return undefined;
}

function validTime(time: [number, number, number, number] | undefined): boolean {
	return !time || (time[0] < 24 && time[1] < 60 && time[2] < 60);
}

/**
 * An instant for the API from what a user gave, as ISO 8601 with an explicit offset (the zone's, or
 * the one written). Accepts ISO 8601 (`T` or a space), `DD/MM/YYYY [HH:MM]`, a date alone
 * (midnight in the zone), a JS Date or a Luxon DateTime.
 */
export function userDateTime(value: unknown, timeZone: string): string {
	const object = dateObject(value);
	if (object) return isoInZone(object.ms, object.zone && object.zone !== 'system' ? safeZone(object.zone, timeZone) : timeZone);
	const text = String(value ?? '').trim();
	const parsed = parseText(text);
	if (parsed && validDate(...parsed.date) && validTime(parsed.time)) {
		const [y, mo, d] = parsed.date;
		const [h, mi, s, ms] = parsed.time ?? [0, 0, 0, 0];
		if (parsed.offset !== undefined) {
			const instant = Date.UTC(y, mo - 1, d, h, mi, s, ms) - parsed.offset * 60000;
			// Keep the offset the user wrote (Z as Z), to the second.
			const sign = parsed.offset < 0 ? '-' : '+';
			const abs = Math.abs(parsed.offset);
			const shown = new Date(instant + parsed.offset * 60000);
			const zone = /z$/i.test(text) ? 'Z' : `${sign}${pad(Math.trunc(abs / 60))}:${pad(abs % 60)}`;
			return `${shown.getUTCFullYear()}-${pad(shown.getUTCMonth() + 1)}-${pad(shown.getUTCDate())}T${pad(shown.getUTCHours())}:${pad(shown.getUTCMinutes())}:${pad(shown.getUTCSeconds())}${zone}`;
		}
		return isoInZone(instantOf(y, mo, d, h, mi, s, ms, timeZone), timeZone);
	}
	throw new InvalidValueError(
		`"${text}" is not a date and time: use ISO 8601 (e.g. 2026-03-31T14:30, read in the workflow's time zone ${timeZone}, or 2026-03-31T14:30:00+02:00) or DD/MM/YYYY HH:MM`,
	);
}

/** userDateTime, or the value as given when it is not a date (for a caller that reports that itself). */
export function userDateTimeOrAsGiven(value: unknown, timeZone: string): string {
	try {
		return userDateTime(value, timeZone);
	} catch {
		return String(value ?? '');
	}
}

/** A calendar date `YYYY-MM-DD`: a text's date as written; a Date or DateTime's date in the zone. */
export function userDate(value: unknown, timeZone: string): string {
	const object = dateObject(value);
	if (object) return isoInZone(object.ms, object.zone && object.zone !== 'system' ? safeZone(object.zone, timeZone) : timeZone).slice(0, 10);
	const text = String(value ?? '').trim();
	const parsed = parseText(text);
	if (parsed && validDate(...parsed.date)) {
		const [y, m, d] = parsed.date;
		return `${y}-${pad(m)}-${pad(d)}`;
	}
	throw new InvalidValueError(`"${text}" is not a date: use YYYY-MM-DD (or DD/MM/YYYY)`);
}

/** A Luxon zone name the runtime knows, else the workflow's. */
function safeZone(zone: string, fallback: string): string {
	return knownZone(zone) ? zone : fallback;
}
