/**
 * One poll of the polling trigger, end to end, with the platform behind TriggerPlatform: the node
 * (DemarcheNumeriqueTrigger.node.ts) gives it the GraphQL side and turns the emissions into items,
 * a test gives it a fake. The steps are those of incrementalSync.ts.
 */
import type {
	Emission,
	ListRequest,
	PollRequest,
	StreamName,
	SyncConfig,
	SyncOptions,
	SyncState,
	TriggerEvent,
	UpdateKind,
} from './incrementalSync';
import {
	DOSSIER_STREAMS,
	STREAMS_OF_EVENT,
	acceptOverlap,
	acceptPage,
	acceptRows,
	acceptSweep,
	baselineRequest,
	finishBaseline,
	finishPoll,
	firstRequest,
	loadState,
	matchesStates,
	nextRequest,
	pollMemory,
	rowKey,
	sampleRequest,
	sweepRequest,
} from './incrementalSync';
import { fineTimeOfCursor, settleOverlap } from './stream';
import type { RawTraitement } from './transitions';
import { orderedTraitements, transitionsFrom } from './transitions';

type Row = Record<string, unknown>;

/** One list of a poll answer, as graphql/trigger.ts selects it. */
export interface Connection<R extends Row = Row> {
	nodes?: Array<R | null> | null;
	/** Each node's cursor, in the order of `nodes` (its position, finer than the printed dates). */
	edges?: Array<{ cursor?: string | null } | null> | null;
	pageInfo?: { endCursor?: string | null; hasNextPage?: boolean };
}

/** What a poll needs from the platform. */
export interface TriggerPlatform<R extends Row = Row> {
	/** Sends one poll request: each included list's connection, by alias (`changes`, `changesOverlap`…). */
	fetchLists(request: PollRequest): Promise<Record<string, Connection<R> | undefined>>;
	/** Dossiers read in full, in the order given; one that no longer exists is left out. */
	refetchDossiers(numbers: number[]): Promise<R[]>;
	/** The error to throw when the first request of a poll fails (it may name the dossier at fault). */
	explainFailure(request: PollRequest, error: unknown): Promise<unknown>;
	/** The platform's clock (epoch ms) at its last answer (its `Date` header), if known. */
	serverTime?(): number | undefined;
	/** Whether an error only says the poll's time budget ran out (the poll then defers quietly). */
	isDeferral?(error: unknown): boolean;
	/** Whether an error is the platform's query timeout (the poll then asks smaller pages). */
	isTimeout?(error: unknown): boolean;
}

/** Every list of `request` asking at most `limit` rows. */
function clampRequest(request: PollRequest, limit: number): PollRequest {
	const clamp = (lists: PollRequest['main']) =>
		Object.fromEntries(
			Object.entries(lists).map(([name, list]) => [
				name,
				list && list.first !== undefined ? { ...list, first: Math.min(list.first, limit) } : list,
			]),
		);
	return { main: clamp(request.main), overlap: clamp(request.overlap) };
}

/**
 * The platform's fetchLists, asking smaller pages after a query timeout: the platform stops a query
 * at 30 s and the same heavy page times out again on every retry, so each timeout halves the pages
 * of the rest of this poll, down to one row.
 */
function shrinkingFetch<R extends Row>(platform: TriggerPlatform<R>): TriggerPlatform<R>['fetchLists'] {
	let limit = Number.POSITIVE_INFINITY;
	const fetch = async (request: PollRequest): Promise<Record<string, Connection<R> | undefined>> => {
		const outcome = await platform.fetchLists(clampRequest(request, limit)).then(
			(lists) => ({ lists, error: undefined }),
			(error: unknown) => ({ lists: undefined, error }),
		);
		if (outcome.lists) return outcome.lists;
		const largest = Math.max(
			1,
			...[...Object.values(request.main), ...Object.values(request.overlap)].map((list) =>
				Math.min(list?.first ?? 1, limit),
			),
		);
		if (!platform.isTimeout?.(outcome.error) || largest <= 1) throw outcome.error;
		limit = Math.max(1, Math.floor(largest / 2));
		return await fetch(request);
	};
	return fetch;
}

export interface PollSettings {
	config: SyncConfig;
	/** Only emissions in these states (empty: all). */
	states: string[];
	sync: SyncOptions;
	/** dossierUpdated: what counts as an update (default: any change). */
	countAs?: UpdateKind;
	/** Epoch ms after which the poll sends no new request and ends with what it has. */
	deadlineMs?: number;
	/** The local clock (tests replace it). */
	now?: () => number;
}

export interface PollOutcome<R extends Row = Row> {
	/** What to emit, in order, the states filter applied. */
	emissions: Array<Emission<R>>;
	/** The state to store with the items; undefined when it has not changed. */
	state?: SyncState;
	/** A request that failed after the poll made progress: the rest waits for the next poll. */
	failure?: unknown;
	/** Why the poll stopped before reading everything, the rest waiting for the next poll. */
	stopped?: 'budget' | 'deferred';
}

const rowsOf = <R extends Row>(connection: Connection<R> | undefined): R[] =>
	(connection?.nodes ?? []).filter((row): row is R => Boolean(row));

/** Dossier number → sub-second position of its row, from the connection's edge cursors. */
function finesOf(connection: Connection | undefined): Map<number, string> {
	const fines = new Map<number, string>();
	const nodes = connection?.nodes ?? [];
	const edges = connection?.edges ?? [];
	nodes.forEach((row, index) => {
		const fine = fineTimeOfCursor(edges[index]?.cursor);
		if (row && fine !== undefined) fines.set(Number(row.number), fine);
	});
	return fines;
}

/**
 * "Start from now", first poll: reads each list's overlap window once (history, not events) and
 * fixes the origin on the platform's clock. Mutates `state` and `memory`.
 */
async function readBaseline<R extends Row>(
	platform: TriggerPlatform<R>,
	state: SyncState,
	memory: ReturnType<typeof pollMemory>,
	settings: PollSettings,
	nowMs: number,
): Promise<void> {
	const event = settings.config.event;
	let sinceMs = nowMs - settings.sync.overlapMs;
	let lists = await platform.fetchLists(baselineRequest(event, sinceMs));
	let serverNow = platform.serverTime?.() ?? nowMs;
	if (serverNow - settings.sync.overlapMs < sinceMs - 1000) {
		// Our clock runs ahead of the platform's: read the window on its clock instead.
		sinceMs = serverNow - settings.sync.overlapMs;
		lists = await platform.fetchLists(baselineRequest(event, sinceMs));
		serverNow = platform.serverTime?.() ?? serverNow;
	}
	const rows: Partial<Record<StreamName, Array<{ row: R; fine?: string }>>> = {};
	let pending = STREAMS_OF_EVENT[event];
	for (;;) {
		const after: Partial<Record<StreamName, string | null>> = {};
		for (const name of pending) {
			const page = lists[`${name}Overlap`];
			const fines = finesOf(page);
			for (const row of rowsOf(page)) (rows[name] ??= []).push({ row, fine: fines.get(Number(row.number)) });
			if (page?.pageInfo?.hasNextPage && page.pageInfo.endCursor) after[name] = page.pageInfo.endCursor;
		}
		pending = Object.keys(after) as StreamName[];
		if (!pending.length) break;
		lists = await platform.fetchLists(baselineRequest(event, sinceMs, after));
	}
	finishBaseline(state, memory, sinceMs, serverNow, rows);
}

/**
 * One poll: the lists from their cursors, late rows from the overlap window, the next state.
 * `stored` is the state the last poll returned. Throws when the poll could make no progress at all.
 */
export async function pollOnce<R extends Row>(
	platform: TriggerPlatform<R>,
	settings: PollSettings,
	stored: unknown,
	nowMs: number,
): Promise<PollOutcome<R>> {
	platform = { ...platform, fetchLists: shrinkingFetch(platform) };
	const state = loadState(stored, settings.config, nowMs);
	const memory = pollMemory(state, settings.config.event, settings.countAs);
	const clock = settings.now ?? Date.now;
	const outOfTime = () => settings.deadlineMs !== undefined && clock() >= settings.deadlineMs;
	const deferral = (error: unknown) => platform.isDeferral?.(error) === true;
	if (state.baseline) {
		const failed = await readBaseline(platform, state, memory, settings, nowMs).then(
			() => undefined,
			(error: unknown) => ({ error }),
		);
		if (failed) {
			if (deferral(failed.error)) return { emissions: [], stopped: 'deferred', failure: failed.error };
			throw failed.error;
		}
		finishPoll(state, memory, settings.sync);
		return { emissions: [], state };
	}
	const emissions: Array<Emission<R>> = [];
	const first = firstRequest(state, settings.config.event, settings.sync);
	let stopped: PollOutcome['stopped'];

	// The first request must succeed; later ones only add progress, so a failure there ends the
	// poll with what was read so far (its state saved with its items).
	let request: PollRequest | null = first;
	let rowsRead = 0;
	const overlapPages: Partial<Record<StreamName, Connection<R>>> = {};
	let failure: unknown;
	while (request) {
		const outcome = await platform.fetchLists(request).then(
			(lists) => ({ lists, error: undefined }),
			(error: unknown) => ({ lists: undefined, error }),
		);
		if (!outcome.lists) {
			if (request === first) {
				// Out of time before anything was read (a long rate limit): the next poll carries on.
				if (deferral(outcome.error)) return { emissions: [], stopped: 'deferred', failure: outcome.error };
				throw await platform.explainFailure(request, outcome.error);
			}
			failure = outcome.error;
			if (deferral(outcome.error)) stopped = 'budget';
			break;
		}
		const lists = outcome.lists;
		const pending: StreamName[] = [];
		for (const stream of Object.keys(request.main) as StreamName[]) {
			const rows = rowsOf(lists[stream]);
			rowsRead += rows.length;
			const pageInfo = lists[stream]?.pageInfo ?? {};
			emissions.push(...acceptPage(state, stream, rows, pageInfo, memory, finesOf(lists[stream])));
			if (pageInfo.hasNextPage && rows.length) pending.push(stream);
		}
		if (request === first) {
			for (const stream of Object.keys(request.overlap) as StreamName[]) {
				overlapPages[stream] = lists[`${stream}Overlap`];
			}
		}
		request = nextRequest(state, pending, rowsRead, settings.sync);
		if (request && outOfTime()) {
			stopped = 'budget';
			request = null;
		}
	}

	// Overlap lists read to the end; the others are read again from their start next poll.
	const overlapsRead = new Set<StreamName>();
	if (!failure) {
		try {
			for (const [stream, firstPage] of Object.entries(overlapPages) as Array<[StreamName, Connection<R>]>) {
				if (!firstPage) {
					overlapsRead.add(stream);
					continue;
				}
				let page: Connection<R> | undefined = firstPage;
				let changedAgain = false;
				while (page) {
					if (outOfTime()) {
						stopped = 'budget';
						break;
					}
					const fines = finesOf(page);
					const { late, more } = acceptOverlap(state, stream, rowsOf(page), page.pageInfo ?? {}, fines);
					let rows: R[] = late;
					if (DOSSIER_STREAMS.has(stream)) {
						const refetched = await platform.refetchDossiers(late.map((row) => Number(row.number)));
						// Only the very version the overlap list showed has a known position. A dossier
						// changed again since is left to the list that serves its newer version (the main
						// list, or this window read again next poll), with its position.
						const times = new Map(late.map((row) => [Number(row.number), rowKey(stream, row).time]));
						rows = refetched.filter((row) => rowKey(stream, row).time === times.get(Number(row.number)));
						changedAgain ||= rows.length < refetched.length;
					}
					emissions.push(...acceptRows(state, stream, rows, memory, 'late', fines));
					if (!more) {
						if (!changedAgain) overlapsRead.add(stream);
						break;
					}
					const overlap = first.overlap[stream]!;
					const lists = await platform.fetchLists({
						main: {},
						overlap: { [stream]: { ...overlap, after: page.pageInfo?.endCursor ?? null } },
					});
					page = lists[`${stream}Overlap`];
				}
			}
			// Deleted: one page a poll of the sweep for purges back-dated behind the cursor.
			const sweep = outOfTime() ? null : sweepRequest(state, memory);
			if (sweep) {
				const page = (await platform.fetchLists(sweep)).deletedOverlap;
				emissions.push(...acceptSweep(state, rowsOf(page), page?.pageInfo ?? {}, memory));
			}
		} catch (error) {
			failure = error;
			if (deferral(error)) stopped = 'budget';
		}
	}

	for (const [name, overlap] of Object.entries(first.overlap) as Array<[StreamName, ListRequest]>) {
		const stream = state.streams[name];
		if (stream) settleOverlap(stream, Date.parse(overlap.since ?? ''), overlapsRead.has(name), settings.sync.overlapMs);
	}
	finishPoll(state, memory, settings.sync);
	const matching = emissions.filter((emission) => matchesStates(emission, settings.states));
	const changed = JSON.stringify(stored) !== JSON.stringify(state);
	if (failure && !stopped && !matching.length && !changed) throw failure;
	return { emissions: matching, state: changed ? state : undefined, failure, stopped };
}

/**
 * "Fetch Test Event": the `size` most recent matching records (for state changes, each dossier's
 * last change), the stored state untouched.
 */
export async function sampleOnce<R extends Row>(
	platform: TriggerPlatform<R>,
	event: TriggerEvent,
	states: string[],
	size: number,
): Promise<Array<Emission<R>>> {
	const lists = await platform.fetchLists(sampleRequest(event, size * 4));
	const emissions: Array<Emission<R>> = [];
	for (const stream of STREAMS_OF_EVENT[event]) {
		for (const row of rowsOf(lists[stream]).reverse()) {
			if (event !== 'dossierStateChanged') {
				emissions.push({ stream, row });
				continue;
			}
			const transitions = transitionsFrom(orderedTraitements(row.traitements as RawTraitement[] | undefined), 0);
			const last = transitions[transitions.length - 1];
			if (last) emissions.push({ stream, row, transition: last });
		}
	}
	return emissions.filter((emission) => matchesStates(emission, states)).slice(0, size);
}
