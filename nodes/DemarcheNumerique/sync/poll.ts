/**
 * One poll of the polling trigger, end to end, with the platform behind TriggerPlatform: the node
 * (DemarcheNumeriqueTrigger.node.ts) gives it the GraphQL side and turns the emissions into items,
 * a test gives it a fake. The steps are those of incrementalSync.ts.
 */
import type { Emission, PollRequest, StreamName, SyncConfig, SyncOptions, SyncState, TriggerEvent } from './incrementalSync';
import {
	DOSSIER_STREAMS,
	STREAMS_OF_EVENT,
	acceptOverlap,
	acceptPage,
	acceptRows,
	finishPoll,
	firstRequest,
	loadState,
	matchesStates,
	nextRequest,
	pollMemory,
	sampleRequest,
} from './incrementalSync';
import type { RawTraitement } from './transitions';
import { orderedTraitements, transitionsFrom } from './transitions';

type Row = Record<string, unknown>;

/** One list of a poll answer, as graphql/trigger.ts selects it. */
export interface Connection<R extends Row = Row> {
	nodes?: Array<R | null> | null;
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
}

export interface PollSettings {
	config: SyncConfig;
	/** Only emissions in these states (empty: all). */
	states: string[];
	sync: SyncOptions;
}

export interface PollOutcome<R extends Row = Row> {
	/** What to emit, in order, the states filter applied. */
	emissions: Array<Emission<R>>;
	/** The state to store with the items; undefined when it has not changed. */
	state?: SyncState;
	/** A request that failed after the poll made progress: the rest waits for the next poll. */
	failure?: unknown;
}

const rowsOf = <R extends Row>(connection: Connection<R> | undefined): R[] =>
	(connection?.nodes ?? []).filter((row): row is R => Boolean(row));

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
	const state = loadState(stored, settings.config, nowMs);
	const memory = pollMemory(state, settings.config.event);
	const emissions: Array<Emission<R>> = [];
	const first = firstRequest(state, settings.config.event, settings.sync);

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
			if (request === first) throw await platform.explainFailure(request, outcome.error);
			failure = outcome.error;
			break;
		}
		const lists = outcome.lists;
		const pending: StreamName[] = [];
		for (const stream of Object.keys(request.main) as StreamName[]) {
			const rows = rowsOf(lists[stream]);
			rowsRead += rows.length;
			const pageInfo = lists[stream]?.pageInfo ?? {};
			emissions.push(...acceptPage(state, stream, rows, pageInfo, memory));
			if (pageInfo.hasNextPage && rows.length) pending.push(stream);
		}
		if (request === first) {
			for (const stream of Object.keys(request.overlap) as StreamName[]) {
				overlapPages[stream] = lists[`${stream}Overlap`];
			}
		}
		request = nextRequest(state, pending, rowsRead, settings.sync);
	}

	if (!failure) {
		try {
			for (const [stream, firstPage] of Object.entries(overlapPages) as Array<[StreamName, Connection<R>]>) {
				let page: Connection<R> | undefined = firstPage;
				while (page) {
					const { late, more } = acceptOverlap(state, stream, rowsOf(page), page.pageInfo ?? {});
					const rows = DOSSIER_STREAMS.has(stream)
						? await platform.refetchDossiers(late.map((row) => Number(row.number)))
						: late;
					emissions.push(...acceptRows(state, stream, rows, memory));
					if (!more) break;
					const overlap = first.overlap[stream]!;
					const lists = await platform.fetchLists({
						main: {},
						overlap: { [stream]: { ...overlap, after: page.pageInfo?.endCursor ?? null } },
					});
					page = lists[`${stream}Overlap`];
				}
			}
		} catch (error) {
			failure = error;
		}
	}

	finishPoll(state, memory, settings.sync);
	const matching = emissions.filter((emission) => matchesStates(emission, settings.states));
	const changed = JSON.stringify(stored) !== JSON.stringify(state);
	if (failure && !matching.length && !changed) throw failure;
	return { emissions: matching, state: changed ? state : undefined, failure };
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
