/**
 * One incremental list followed by the trigger (dossiers by modification, dossiers by deposit,
 * deleted, pending-deleted), as the platform documents incremental sync: a fixed `since` origin,
 * the `endCursor` of the last non-empty page, and an overlap window re-read on every poll because
 * keyset order on timestamps lets a late-committed row land behind the cursor.
 *
 * Pure functions on plain JSON (the state lives in n8n's workflow static data).
 */

export interface StreamState {
	/** `endCursor` of the last non-empty page; an empty page (null cursor) never overwrites it. */
	cursor: string | null;
	/** Highest row time (epoch ms) processed on the main list; null before the first row. */
	mark: number | null;
	/** Every processed row with a time at or above this (epoch ms) is in `seen`. */
	floor: number | null;
	/** Dossier number → highest row time processed (epoch ms), for rows at or above `floor`. */
	seen: Record<string, number>;
	/**
	 * The rows of `seen` that came from the overlap list (refetched), which the main list may
	 * serve again: the only repeats the cursor does not rule out.
	 */
	refetched: Record<string, number>;
	/**
	 * Dossier number → the sub-second part of the processed version's position (its list cursor),
	 * for rows of `seen`: the platform prints dates to the second, so two versions of a dossier
	 * within one second differ only there. Absent: unknown (then a same-second row is a repeat).
	 */
	fine?: Record<string, string>;
	/**
	 * "Dossier Updated" counting only champs or only annotations: dossier number → the date of that
	 * part in the last version processed (epoch ms), for rows of `seen`.
	 */
	part?: Record<string, number>;
	/**
	 * Where an overlap list a poll did not read to the end started (epoch ms): the next poll's
	 * overlap list starts there, not at the moved mark, so the late rows it held are still found.
	 */
	resume?: number;
}

/** A row as the lists return it, reduced to what deduplication needs. */
export interface RowKey {
	number: number;
	/** Epoch ms of the row's ordering time (dateDerniereModification, dateDepot, dateSupression). */
	time: number;
	/** Sub-second digits of the row's position in its list (fineTimeOfCursor), when known. */
	fine?: string;
}

export interface PageInfo {
	endCursor?: string | null;
	hasNextPage?: boolean;
}

export function emptyStream(): StreamState {
	return { cursor: null, mark: null, floor: null, seen: {}, refetched: {}, fine: {} };
}

/**
 * The sub-second digits of a list cursor, or undefined. The platform's cursors
 * (Connections::CursorConnection#cursor_from_column) are base64 of `<ordering time with
 * nanoseconds>;<id>`: the only place the API shows a row's time finer than the second. A cursor
 * in another shape gives undefined, and deduplication falls back to printed seconds.
 */
export function fineTimeOfCursor(cursor: unknown): string | undefined {
	if (typeof cursor !== 'string' || !cursor) return undefined;
	let text: string;
	try {
		text = Buffer.from(cursor, 'base64').toString('utf8');
	} catch {
		return undefined;
	}
	const match = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(\d{1,9}))?Z;\d+/.exec(text);
	if (!match) return undefined;
	return (match[1] ?? '').padEnd(9, '0');
}

/** Whether `row` is a later version than the one remembered at the same printed second. */
function laterWithinSecond(stream: StreamState, row: RowKey): boolean {
	const known = stream.fine?.[String(row.number)];
	return row.fine !== undefined && known !== undefined && row.fine > known;
}

/** Parses the platform's ISO 8601 dates; NaN for anything else. */
export function timeOf(value: unknown): number {
	return typeof value === 'string' ? Date.parse(value) : Number.NaN;
}

/**
 * Whether a row of the overlap list has not been processed yet. A dossier's ordering time only
 * grows, so a row at or below the highest time already processed for that number is a repeat.
 */
export function isNewRow(stream: StreamState, row: RowKey): boolean {
	const seen = stream.seen[String(row.number)];
	return seen === undefined || row.time > seen || (row.time === seen && laterWithinSecond(stream, row));
}

/**
 * Whether a row of the main list has not been processed yet. The cursor's keyset is finer than the
 * second-precision dates the platform prints, so a dossier changed twice within one second comes
 * back after the cursor with the same printed time: trust the cursor, and only drop what the
 * overlap list already delivered.
 */
export function isNewMainRow(stream: StreamState, row: RowKey): boolean {
	const refetched = stream.refetched[String(row.number)];
	return refetched === undefined || row.time > refetched || (row.time === refetched && laterWithinSecond(stream, row));
}

/** Remembers a processed row; `refetched` for rows delivered through the overlap list (mutates `stream`). */
export function recordRow(stream: StreamState, row: RowKey, refetched = false): void {
	const key = String(row.number);
	const seen = stream.seen[key];
	if (seen === undefined || row.time > seen) {
		stream.seen[key] = row.time;
		stream.fine ??= {};
		if (row.fine !== undefined) stream.fine[key] = row.fine;
		else delete stream.fine[key];
	} else if (row.time === seen && row.fine !== undefined) {
		stream.fine ??= {};
		const known = stream.fine[key];
		if (known === undefined || row.fine > known) stream.fine[key] = row.fine;
	}
	if (refetched) stream.refetched[key] = Math.max(row.time, stream.refetched[key] ?? row.time);
	else delete stream.refetched[key];
}

/**
 * After a page of the main list: advance the cursor (only on a non-empty page with a cursor) and
 * the mark (mutates `stream`).
 */
export function advanceAfterPage(stream: StreamState, rows: RowKey[], pageInfo: PageInfo): void {
	if (rows.length > 0 && pageInfo.endCursor) stream.cursor = pageInfo.endCursor;
	for (const row of rows) {
		if (!Number.isFinite(row.time)) continue;
		if (stream.mark === null || row.time > stream.mark) stream.mark = row.time;
	}
}

/**
 * Where the overlap list starts (epoch ms), or null when nothing was processed yet (no row can be
 * behind the cursor then).
 */
export function overlapStart(stream: StreamState, overlapMs: number): number | null {
	if (stream.mark === null) return null;
	const start = windowStart(stream, stream.mark, overlapMs);
	return stream.floor === null ? start : Math.max(start, stream.floor);
}

/**
 * After a poll's overlap list (asked from `since`, epoch ms): read to the end, nothing to resume;
 * left unread while the mark moved on past it, the next poll starts there (mutates `stream`).
 */
export function settleOverlap(stream: StreamState, since: number, readToEnd: boolean, overlapMs: number): void {
	if (stream.mark === null) return;
	if (!readToEnd && since < stream.mark - overlapMs) stream.resume = since;
	else delete stream.resume;
}

/** The overlap window's start before the floor: `overlapMs` behind the mark, or an unread window's start. */
function windowStart(stream: StreamState, mark: number, overlapMs: number): number {
	return Math.min(mark - overlapMs, stream.resume ?? Number.POSITIVE_INFINITY);
}

/**
 * Rows of the overlap list that were committed behind the cursor: at or below the mark (rows above
 * it are the main list's business) and never processed.
 */
export function lateRows(stream: StreamState, rows: RowKey[]): RowKey[] {
	if (stream.mark === null) return [];
	const floor = stream.floor ?? Number.NEGATIVE_INFINITY;
	return rows.filter(
		(row) => Number.isFinite(row.time) && row.time <= stream.mark! && row.time >= floor && isNewRow(stream, row),
	);
}

/**
 * Whether the overlap list must be read further: its page was full and did not reach past the
 * mark yet.
 */
export function overlapNeedsMore(stream: StreamState, rows: RowKey[], pageInfo: PageInfo): boolean {
	if (!pageInfo.hasNextPage || !pageInfo.endCursor || rows.length === 0 || stream.mark === null) {
		return false;
	}
	return rows[rows.length - 1].time <= stream.mark;
}

/**
 * Forgets rows that fell out of the overlap window, then, if more than `maxSeen` remain, the oldest
 * ones, raising `floor` so the overlap list never re-reads a forgotten row (mutates `stream`).
 */
export function pruneStream(stream: StreamState, overlapMs: number, maxSeen: number): void {
	if (stream.mark === null) return;
	// rows an unfinished overlap list will read again stay remembered
	let floor = Math.max(stream.floor ?? Number.NEGATIVE_INFINITY, windowStart(stream, stream.mark, overlapMs));
	let entries = Object.entries(stream.seen).filter(([, time]) => time >= floor);
	if (entries.length > maxSeen) {
		entries.sort((a, b) => a[1] - b[1]);
		// Keep whole timestamps: a cut inside one timestamp would leave a row both forgotten and re-readable.
		let cut = entries.length - maxSeen;
		while (cut < entries.length && entries[cut][1] === entries[cut - 1][1]) cut++;
		entries = entries.slice(cut);
		floor = entries.length ? entries[0][1] : stream.mark + 1;
	}
	stream.seen = Object.fromEntries(entries);
	stream.refetched = Object.fromEntries(
		Object.entries(stream.refetched ?? {}).filter(([number, time]) => time >= floor && number in stream.seen),
	);
	stream.fine = Object.fromEntries(Object.entries(stream.fine ?? {}).filter(([number]) => number in stream.seen));
	if (stream.part) {
		stream.part = Object.fromEntries(Object.entries(stream.part).filter(([number]) => number in stream.seen));
	}
	stream.floor = floor;
}
