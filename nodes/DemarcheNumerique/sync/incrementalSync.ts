/**
 * The polling trigger's incremental sync over the platform's lists (dossiers by modification or by
 * deposit, deleted, pending-deleted), pure: its state (loadState), what each request of a poll
 * asks (firstRequest, nextRequest, sampleRequest), which rows are new (acceptPage, acceptOverlap,
 * acceptRows) and the next state (finishPoll). poll.ts runs these steps in order for one poll:
 *   state = loadState(stored, config, now)
 *   request = firstRequest(state, event, options)        → one aliased document (graphql/trigger.ts)
 *   for each page: emissions = acceptPage(state, stream, rows, pageInfo, …)
 *                  nextRequest(…) while pages remain and the per-poll maximum is not reached
 *   late = acceptOverlap(state, stream, overlapRows)     → rows committed behind the cursor
 *   emissions of the refetched late rows: acceptRows(…)
 *   finishPoll(state, …) → stored with the items.
 */
import { PAGE_SIZE } from '../graphql/queries';
import type { RowKey, StreamState } from './stream';
import {
	advanceAfterPage,
	emptyStream,
	isNewMainRow,
	isNewRow,
	lateRows,
	overlapStart,
	overlapNeedsMore,
	pruneStream,
	recordRow,
	timeOf,
} from './stream';
import type { RawTraitement, Transition } from './transitions';
import {
	decodeCounts,
	encodeCounts,
	orderedTraitements,
	traitementsBefore,
	transitionsFrom,
} from './transitions';

export type TriggerEvent =
	| 'dossierDeposited'
	| 'dossierUpdated'
	| 'dossierStateChanged'
	| 'dossierDeleted';

/** The platform lists the trigger follows. */
export type StreamName = 'changes' | 'deposits' | 'deleted' | 'pending';

export const STREAM_NAMES: StreamName[] = ['changes', 'deposits', 'deleted', 'pending'];

/** Which lists each event needs (deposits: by deposit date; changes: by modification date). */
export const STREAMS_OF_EVENT: Record<TriggerEvent, StreamName[]> = {
	dossierDeposited: ['deposits'],
	dossierUpdated: ['changes'],
	dossierStateChanged: ['changes'],
	dossierDeleted: ['deleted', 'pending'],
};

/** The field each list is ordered by (its keyset). */
export const TIME_FIELD: Record<StreamName, string> = {
	changes: 'dateDerniereModification',
	deposits: 'dateDepot',
	deleted: 'dateSupression',
	pending: 'dateSupression',
};

/** Whether a list's rows are dossiers (refetched in full when late) or deletion records. */
export const DOSSIER_STREAMS = new Set<StreamName>(['changes', 'deposits']);

export type StartFrom = 'now' | 'date' | 'beginning';

export interface SyncConfig {
	/** `demarche:<n>` or `groupeInstructeur:<n>`. */
	scope: string;
	event: TriggerEvent;
	startFrom: StartFrom;
	/** ISO date, for startFrom `date`. */
	startDate?: string;
}

/** What counts as an update for "Dossier Updated" (countAs). */
export type UpdateKind = 'any' | 'champs' | 'annotations';

export interface SyncOptions {
	/** Most dossiers read by one poll (main lists); the rest waits for the next polls. */
	maxPerPoll: number;
	/** How far behind the newest processed row the overlap list re-reads, in ms. */
	overlapMs: number;
	/** Most rows remembered for deduplication per list. */
	maxSeen: number;
	/**
	 * "State Changed" forgets a dossier not seen for between one and two of these (ms of the
	 * changes list's time), once the list has been read up to date past them.
	 */
	countsGenerationMs: number;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
	maxPerPoll: 500,
	// The platform stops requests at 30 s: a commit cannot land much further behind.
	overlapMs: 2 * 60_000,
	maxSeen: 5_000,
	countsGenerationMs: 7 * 24 * 3600_000,
};

export interface SyncState {
	v: 1;
	/** configKey() of the settings this state belongs to: other settings start over. */
	config: string;
	/** The fixed `since` of every list (ISO). */
	origin: string;
	streams: Partial<Record<StreamName, StreamState>>;
	/** dossierStateChanged: traitements accounted for per dossier (encodeCounts), this generation. */
	counts?: string;
	/** The previous generation of `counts`: dropped at the next rotation unless seen again. */
	countsOld?: string;
	/** When `counts` started (epoch ms of the changes list's time). */
	countsSince?: number;
	/**
	 * Every dossier forgotten by "State Changed" was last seen before this (epoch ms): a dossier
	 * met without counts has its traitements before it (or before `cut`/`origin`) accounted for.
	 */
	countsFloor?: number;
	/** The changes list's mark when a poll last read it to the end (caught up), epoch ms. */
	caughtUp?: number;
	/**
	 * "Start from now" only: the start (ISO) of the window read once at activation. Rows visible
	 * then are history; rows stamped in it that become visible later are events (late commits).
	 */
	cut?: string;
	/** "Start from now": the activation window is still to be read (the first poll does it). */
	baseline?: boolean;
	/**
	 * dossierDeleted: dossiers seen pending deletion and not seen deleted yet, with their hide time
	 * (encodeCounts: number → epoch seconds). The platform back-dates the purge of an en_construction
	 * dossier the usager trashed to that hide (two weeks or more back, behind the cursor and the
	 * overlap window): the sweep finds it.
	 */
	awaiting?: string;
	/** The sweep over deletedDossiers from the oldest awaited hide: its `since` and cursor. */
	sweep?: { since: string; cursor: string | null };
}

/** How long a dossier pending deletion is awaited (purges come 14 days after the hide, daily). */
export const AWAITING_MS = 60 * 24 * 3600_000;

/** "From the beginning": earlier than any dossier (a `since` the platform accepts). */
export const BEGINNING = '2000-01-01T00:00:00.000Z';

export function configKey(config: SyncConfig): string {
	const start = config.startFrom === 'date' ? `date:${config.startDate ?? ''}` : config.startFrom;
	return `${config.scope}|${config.event}|${start}`;
}

export function originOf(config: SyncConfig, nowMs: number): string {
	if (config.startFrom === 'beginning') return BEGINNING;
	if (config.startFrom === 'date') {
		const time = timeOf(config.startDate);
		if (!Number.isFinite(time)) throw new Error(`"${config.startDate ?? ''}" is not a date`);
		return new Date(time).toISOString();
	}
	// The platform prints dates to the second: an origin inside a second would count that second's
	// own traitements as older than the origin.
	return new Date(Math.floor(nowMs / 1000) * 1000).toISOString();
}

/** The stored state if it belongs to these settings, else a fresh one starting at the origin. */
export function loadState(stored: unknown, config: SyncConfig, nowMs: number): SyncState {
	const key = configKey(config);
	const candidate = stored as SyncState | undefined;
	if (candidate && candidate.v === 1 && candidate.config === key && typeof candidate.origin === 'string') {
		return JSON.parse(JSON.stringify(candidate)) as SyncState;
	}
	const state: SyncState = { v: 1, config: key, origin: originOf(config, nowMs), streams: {} };
	for (const name of STREAMS_OF_EVENT[config.event]) state.streams[name] = emptyStream();
	if (config.startFrom === 'now') state.baseline = true;
	return state;
}

/**
 * The activation read ("Start from now"): each list's overlap list from `sinceMs`, every page.
 * Rows it returns are history; finishBaseline then fixes the origin on the platform's clock.
 */
export function baselineRequest(event: TriggerEvent, sinceMs: number, after: Partial<Record<StreamName, string | null>> = {}): PollRequest {
	const request: PollRequest = { main: {}, overlap: {} };
	const since = new Date(Math.floor(sinceMs / 1000) * 1000).toISOString();
	for (const name of STREAMS_OF_EVENT[event]) {
		if (after[name] === undefined && Object.keys(after).length) continue;
		request.overlap[name] = { since, after: after[name] ?? null, first: PAGE_SIZE };
	}
	return request;
}

/**
 * Records the activation read: origin = the platform's time of the answer (to the second), its rows
 * remembered as processed (at their exact position, so a later version in the same second is new),
 * and for "State Changed" their traitements as history (mutates `state` and `memory`).
 */
export function finishBaseline<R extends Row>(
	state: SyncState,
	memory: PollMemory,
	sinceMs: number,
	serverNowMs: number,
	rows: Partial<Record<StreamName, Array<{ row: R; fine?: string }>>>,
): void {
	const originMs = Math.floor(serverNowMs / 1000) * 1000;
	const cutMs = Math.floor(sinceMs / 1000) * 1000;
	state.origin = new Date(originMs).toISOString();
	state.cut = new Date(cutMs).toISOString();
	delete state.baseline;
	memory.originMs = cutMs;
	for (const name of STREAMS_OF_EVENT[memory.event]) {
		const stream = streamOf(state, name);
		stream.floor = cutMs;
		stream.mark = originMs;
		for (const { row, fine } of rows[name] ?? []) {
			const key = rowKey(name, row, fine);
			if (!Number.isFinite(key.number) || !Number.isFinite(key.time)) continue;
			// Marked as refetched: the main list, from the origin, drops this very version.
			recordRow(stream, key, true);
			if (key.time > stream.mark) stream.mark = key.time;
			if (name === 'pending') memory.awaiting.set(key.number, Math.floor(key.time / 1000));
			if (memory.event === 'dossierStateChanged' && Array.isArray(row.traitements)) {
				memory.counts.set(key.number, (row.traitements as unknown[]).length);
			}
		}
	}
}

function streamOf(state: SyncState, name: StreamName): StreamState {
	const existing = state.streams[name];
	if (existing) return existing;
	const created = emptyStream();
	state.streams[name] = created;
	return created;
}

// --- what to ask --------------------------------------------------------------------------------

/** Arguments of one list in a poll request. */
export interface ListRequest {
	since: string | null;
	after: string | null;
	first?: number;
	last?: number;
}

/** A poll request: main lists and overlap lists to include in the one aliased document. */
export interface PollRequest {
	main: Partial<Record<StreamName, ListRequest>>;
	overlap: Partial<Record<StreamName, ListRequest>>;
}

function mainList(state: SyncState, name: StreamName, first: number): ListRequest {
	return { since: state.origin, after: streamOf(state, name).cursor, first: Math.max(1, Math.min(PAGE_SIZE, first)) };
}

/** The first request of a poll: every list of the event, each with its overlap list. */
export function firstRequest(state: SyncState, event: TriggerEvent, options: SyncOptions): PollRequest {
	const request: PollRequest = { main: {}, overlap: {} };
	for (const name of STREAMS_OF_EVENT[event]) {
		request.main[name] = mainList(state, name, options.maxPerPoll);
		const start = overlapStart(streamOf(state, name), options.overlapMs);
		if (start !== null) {
			// Never before the origin (or the activation window): rows older are history, not late rows.
			const since = Math.max(start, timeOf(state.cut ?? state.origin));
			request.overlap[name] = { since: new Date(since).toISOString(), after: null, first: PAGE_SIZE };
		}
	}
	return request;
}

/**
 * The next main pages, for the lists whose last page said there is more; null when done. The
 * budget counts rows read, not items emitted, so a filter that drops most rows cannot make one
 * poll walk the whole démarche.
 */
export function nextRequest(
	state: SyncState,
	pending: StreamName[],
	rowsRead: number,
	options: SyncOptions,
): PollRequest | null {
	const budget = options.maxPerPoll - rowsRead;
	if (budget <= 0 || pending.length === 0) return null;
	const request: PollRequest = { main: {}, overlap: {} };
	for (const name of pending) request.main[name] = mainList(state, name, budget);
	return request;
}

/** Most recent rows for manual mode ("Fetch test event"): the last `count` of each list. */
export function sampleRequest(event: TriggerEvent, count: number): PollRequest {
	const request: PollRequest = { main: {}, overlap: {} };
	for (const name of STREAMS_OF_EVENT[event]) {
		request.main[name] = { since: BEGINNING, after: null, last: Math.max(1, Math.min(PAGE_SIZE, count)) };
	}
	return request;
}

// --- what is new --------------------------------------------------------------------------------

/** Something to emit: a row of a list and, for state changes, which change. */
export interface Emission<R = Record<string, unknown>> {
	stream: StreamName;
	row: R;
	transition?: Transition;
}

type Row = Record<string, unknown>;

export function rowKey(name: StreamName, row: Row, fine?: string): RowKey {
	const key: RowKey = { number: Number(row.number), time: timeOf(row[TIME_FIELD[name]]) };
	if (fine !== undefined) key.fine = fine;
	return key;
}

/** Working memory of one poll: decoded counts and the origin in ms. */
export interface PollMemory {
	event: TriggerEvent;
	/** Traitements before this are history for a dossier met without counts. */
	originMs: number;
	counts: Map<number, number>;
	/** The previous generation of counts (read, moved to `counts` when seen again). */
	countsOld: Map<number, number>;
	/** dossierUpdated: what counts as an update. */
	countAs: UpdateKind;
	/** dossierDeleted: awaited purges (number → hide time, epoch s). */
	awaiting: Map<number, number>;
}

export function pollMemory(state: SyncState, event: TriggerEvent, countAs: UpdateKind = 'any'): PollMemory {
	const origin = timeOf(state.cut ?? state.origin);
	return {
		event,
		originMs: Math.max(origin, state.countsFloor ?? Number.NEGATIVE_INFINITY),
		counts: decodeCounts(state.counts),
		countsOld: decodeCounts(state.countsOld),
		countAs,
		awaiting: decodeCounts(state.awaiting),
	};
}

/** The sweep's request (dossierDeleted, when a purge is awaited), or null. */
export function sweepRequest(state: SyncState, memory: PollMemory): PollRequest | null {
	if (memory.event !== 'dossierDeleted' || memory.awaiting.size === 0) return null;
	if (!state.sweep || !state.sweep.cursor) {
		const oldest = Math.min(...memory.awaiting.values());
		state.sweep = { since: new Date(oldest * 1000).toISOString(), cursor: null };
	}
	return { main: {}, overlap: { deleted: { since: state.sweep.since, after: state.sweep.cursor, first: PAGE_SIZE } } };
}

/**
 * A page of the sweep: awaited dossiers found deleted (their purge back-dated behind the cursor)
 * are emitted once; the sweep starts over from the oldest awaited hide after its last page
 * (mutates `state` and `memory`).
 */
export function acceptSweep<R extends Row>(
	state: SyncState,
	rows: R[],
	pageInfo: { endCursor?: string | null; hasNextPage?: boolean },
	memory: PollMemory,
): Array<Emission<R>> {
	const stream = streamOf(state, 'deleted');
	const emissions: Array<Emission<R>> = [];
	for (const row of rows) {
		const key = rowKey('deleted', row);
		if (!memory.awaiting.has(key.number)) continue;
		memory.awaiting.delete(key.number);
		if (!isNewRow(stream, key)) continue;
		recordRow(stream, key);
		emissions.push({ stream: 'deleted', row });
	}
	if (state.sweep) state.sweep.cursor = pageInfo.hasNextPage && pageInfo.endCursor ? pageInfo.endCursor : null;
	return emissions;
}

/** The date of the part an update must have changed (countAs), for dossierUpdated. */
const PART_DATE: Record<Exclude<UpdateKind, 'any'>, string> = {
	champs: 'dateDerniereModificationChamps',
	annotations: 'dateDerniereModificationAnnotations',
};

/**
 * Whether a dossier's version changed the part that counts (countAs): its part date moved past
 * the one of the last version processed (`part`), or, for a dossier not remembered, reached the
 * window this list still remembers. The platform prints these dates to the second, as the others.
 */
function countsAsUpdate(stream: StreamState, key: RowKey, row: Row, countAs: UpdateKind): boolean {
	if (countAs === 'any') return true;
	const partTime = timeOf(row[PART_DATE[countAs]]);
	if (!Number.isFinite(partTime)) return true;
	const known = stream.part?.[String(key.number)];
	if (known !== undefined) return partTime > known;
	return partTime >= (stream.floor ?? Number.NEGATIVE_INFINITY);
}

/**
 * Rows of a list → what to emit; records them as processed (mutates `state` and `memory`). Rows
 * already processed are skipped: `main` rows (after the cursor) unless the overlap list delivered
 * them already, late rows (refetched from the overlap list) unless processed at all.
 */
export function acceptRows<R extends Row>(
	state: SyncState,
	name: StreamName,
	rows: R[],
	memory: PollMemory,
	source: 'main' | 'late' = 'late',
	fines: Map<number, string> = new Map(),
): Array<Emission<R>> {
	const stream = streamOf(state, name);
	const emissions: Array<Emission<R>> = [];
	for (const row of rows) {
		const key = rowKey(name, row, fines.get(Number(row.number)));
		if (!Number.isFinite(key.number)) continue;
		if (!(source === 'main' ? isNewMainRow(stream, key) : isNewRow(stream, key))) continue;
		recordRow(stream, key, source === 'late');
		if (name === 'pending' && Number.isFinite(key.time)) memory.awaiting.set(key.number, Math.floor(key.time / 1000));
		if (name === 'deleted') memory.awaiting.delete(key.number);
		if (memory.event !== 'dossierStateChanged') {
			if (memory.event === 'dossierUpdated' && memory.countAs !== 'any') {
				const counts = countsAsUpdate(stream, key, row, memory.countAs);
				const partTime = timeOf(row[PART_DATE[memory.countAs]]);
				if (Number.isFinite(partTime)) {
					stream.part ??= {};
					stream.part[String(key.number)] = Math.max(partTime, stream.part[String(key.number)] ?? partTime);
				}
				if (!counts) continue;
			}
			emissions.push({ stream: name, row });
			continue;
		}
		const ordered = orderedTraitements(row.traitements as RawTraitement[] | undefined);
		const old = memory.countsOld.get(key.number);
		const accounted = memory.counts.has(key.number)
			? memory.counts.get(key.number)!
			: old !== undefined
				? old
				: traitementsBefore(ordered, memory.originMs);
		memory.countsOld.delete(key.number);
		for (const transition of transitionsFrom(ordered, accounted)) {
			emissions.push({ stream: name, row, transition });
		}
		memory.counts.set(key.number, Math.max(accounted, ordered.length));
	}
	return emissions;
}

/** A main page: its new rows, then the cursor and mark move on (mutates `state`). */
export function acceptPage<R extends Row>(
	state: SyncState,
	name: StreamName,
	rows: R[],
	pageInfo: { endCursor?: string | null; hasNextPage?: boolean },
	memory: PollMemory,
	fines: Map<number, string> = new Map(),
): Array<Emission<R>> {
	const emissions = acceptRows(state, name, rows, memory, 'main', fines);
	advanceAfterPage(
		streamOf(state, name),
		rows.map((row) => rowKey(name, row)),
		pageInfo,
	);
	if (name === 'changes' && !pageInfo.hasNextPage) {
		const mark = streamOf(state, name).mark;
		if (mark !== null) state.caughtUp = mark;
	}
	return emissions;
}

/**
 * A page of an overlap list → the rows committed behind the cursor (to refetch in full for
 * dossiers), and whether the overlap list must be read further.
 */
export function acceptOverlap<R extends Row>(
	state: SyncState,
	name: StreamName,
	rows: R[],
	pageInfo: { endCursor?: string | null; hasNextPage?: boolean },
	fines: Map<number, string> = new Map(),
): { late: R[]; more: boolean } {
	const stream = streamOf(state, name);
	const keys = rows.map((row) => rowKey(name, row, fines.get(Number(row.number))));
	const late = new Set(lateRows(stream, keys).map((key) => key.number));
	return {
		late: rows.filter((row) => late.has(Number(row.number))),
		more: overlapNeedsMore(stream, keys, pageInfo),
	};
}

/** Whether an emission passes the states filter (empty filter: all). */
export function matchesStates(emission: Emission, states: string[]): boolean {
	if (!states.length) return true;
	const state = emission.transition ? emission.transition.state : emission.row.state;
	return typeof state === 'string' && states.includes(state);
}

// --- next state ---------------------------------------------------------------------------------

/** Ends a poll: prunes the dedupe windows, stores the counts (mutates and returns `state`). */
export function finishPoll(state: SyncState, memory: PollMemory, options: SyncOptions): SyncState {
	for (const name of STREAM_NAMES) {
		const stream = state.streams[name];
		if (stream) pruneStream(stream, options.overlapMs, options.maxSeen);
	}
	if (memory.event === 'dossierStateChanged') rotateCounts(state, memory, options);
	if (memory.event === 'dossierDeleted') {
		const marks = [state.streams.pending?.mark, state.streams.deleted?.mark].filter((m): m is number => typeof m === 'number');
		if (marks.length) {
			const horizon = Math.floor((Math.max(...marks) - AWAITING_MS) / 1000);
			for (const [number, hidden] of memory.awaiting) if (hidden < horizon) memory.awaiting.delete(number);
		}
		if (memory.awaiting.size) state.awaiting = encodeCounts(memory.awaiting);
		else {
			delete state.awaiting;
			delete state.sweep;
		}
	}
	return state;
}

/**
 * Stores "State Changed"'s counts, forgetting dossiers not seen for a generation or two: once the
 * changes list was read to the end past a generation's end, every traitement before it has been
 * seen, so a dossier of the generation before, met again, has all its traitements before that
 * point accounted for (countsFloor) and any later one is new (mutates `state`).
 */
function rotateCounts(state: SyncState, memory: PollMemory, options: SyncOptions): void {
	const mark = state.streams.changes?.mark ?? null;
	state.countsSince ??= mark ?? undefined;
	if (
		mark !== null &&
		state.countsSince !== undefined &&
		state.caughtUp !== undefined &&
		state.caughtUp - options.overlapMs >= state.countsSince + options.countsGenerationMs
	) {
		// The old generation's dossiers, not seen since the last rotation, were last read at or
		// before that rotation's mark (`countsSince`, printed to the second): forgotten.
		if (memory.countsOld.size) state.countsFloor = Math.max(state.countsFloor ?? 0, state.countsSince + 1000);
		memory.countsOld = memory.counts;
		memory.counts = new Map();
		state.countsSince = mark;
	}
	state.counts = encodeCounts(memory.counts);
	if (memory.countsOld.size) state.countsOld = encodeCounts(memory.countsOld);
	else delete state.countsOld;
}
