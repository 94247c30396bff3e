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

export interface SyncOptions {
	/** Most events emitted by one poll; the rest waits for the next polls. */
	maxPerPoll: number;
	/** How far behind the newest processed row the overlap list re-reads, in ms. */
	overlapMs: number;
	/** Most rows remembered for deduplication per list. */
	maxSeen: number;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
	maxPerPoll: 500,
	// The platform stops requests at 30 s: a commit cannot land much further behind.
	overlapMs: 2 * 60_000,
	maxSeen: 5_000,
};

export interface SyncState {
	v: 1;
	/** configKey() of the settings this state belongs to: other settings start over. */
	config: string;
	/** The fixed `since` of every list (ISO). */
	origin: string;
	streams: Partial<Record<StreamName, StreamState>>;
	/** dossierStateChanged: traitements accounted for per dossier (encodeCounts). */
	counts?: string;
}

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
	return state;
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
			// Never before the origin: rows older than it are history, not late rows.
			const since = Math.max(start, timeOf(state.origin));
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

export function rowKey(name: StreamName, row: Row): RowKey {
	return { number: Number(row.number), time: timeOf(row[TIME_FIELD[name]]) };
}

/** Working memory of one poll: decoded counts and the origin in ms. */
export interface PollMemory {
	event: TriggerEvent;
	originMs: number;
	counts: Map<number, number>;
}

export function pollMemory(state: SyncState, event: TriggerEvent): PollMemory {
	return {
		event,
		originMs: timeOf(state.origin),
		counts: decodeCounts(state.counts),
	};
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
): Array<Emission<R>> {
	const stream = streamOf(state, name);
	const emissions: Array<Emission<R>> = [];
	for (const row of rows) {
		const key = rowKey(name, row);
		if (!Number.isFinite(key.number)) continue;
		if (!(source === 'main' ? isNewMainRow(stream, key) : isNewRow(stream, key))) continue;
		recordRow(stream, key, source === 'late');
		if (memory.event !== 'dossierStateChanged') {
			emissions.push({ stream: name, row });
			continue;
		}
		const ordered = orderedTraitements(row.traitements as RawTraitement[] | undefined);
		const accounted = memory.counts.has(key.number)
			? memory.counts.get(key.number)!
			: traitementsBefore(ordered, memory.originMs);
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
): Array<Emission<R>> {
	const emissions = acceptRows(state, name, rows, memory, 'main');
	advanceAfterPage(
		streamOf(state, name),
		rows.map((row) => rowKey(name, row)),
		pageInfo,
	);
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
): { late: R[]; more: boolean } {
	const stream = streamOf(state, name);
	const keys = rows.map((row) => rowKey(name, row));
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
	if (memory.event === 'dossierStateChanged') state.counts = encodeCounts(memory.counts);
	return state;
}
