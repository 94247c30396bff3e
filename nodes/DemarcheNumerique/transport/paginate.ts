import type { IDataObject } from 'n8n-workflow';

import type { DnFunctions } from './context';
import type { GraphqlError } from './errors';
import { apiError, describeGraphqlError } from './errors';
import { complexityOverflow, isHiddenLinkError, isTimeoutError } from './errorKinds';
import type { GraphqlDocument, GraphqlResult, RequestSettings } from './graphql';
import { graphqlRequest, rootErrorsToApiError } from './graphql';
import { getDnCredentials } from './context';
import { PAGE_SIZE } from '../graphql/queries';
import type { EarlyPageInfo } from './earlyPageInfo';

export interface Connection<N> {
	nodes?: Array<N | null> | null;
	pageInfo: { endCursor?: string | null; hasNextPage: boolean };
}

/** The errors of one record of a page, by its position in the page. */
export interface RecordErrors {
	index: number;
	errors: GraphqlError[];
}

export interface Page<N> {
	/** Records of the page, in the platform's order, nulls removed. */
	nodes: N[];
	/** Positions (in the page) of records the platform could not serialise (null), with its errors. */
	lost: RecordErrors[];
	/** Positions of records the page holds but with errors inside (a field the platform failed on). */
	damaged: RecordErrors[];
	/**
	 * Positions of records kept whole but for a linked dossier the token cannot see (isHiddenLinkError):
	 * not damage, the link keeps its number.
	 */
	hiddenLinks: RecordErrors[];
	/** Root errors of the page not tied to a lost record: those tied to no record, then `damaged`'s. */
	errors: GraphqlError[];
	endCursor: string | null;
	hasNextPage: boolean;
	/** Cursor the page was requested after (null for the first page). */
	after: string | null;
}

export interface PaginateOptions<N> {
	document: GraphqlDocument;
	/** Finds the connection in `data` (e.g. `data.demarche.dossiers`). */
	connection: (data: IDataObject) => Connection<N> | null | undefined;
	/** Path of the connection's `nodes` in the response, to map errors to records. */
	nodesPath: string[];
	/** Stop after this many records; undefined means all. */
	limit?: number;
	/** Resume after this cursor. */
	after?: string | null;
	/** Records per page asked at first (at most 100); timeouts make it smaller (PageSizer). */
	pageSize?: number;
	settings?: Omit<RequestSettings, 'intent'>;
	/**
	 * Send the request for the next page before yielding this one, so it is on its way while the
	 * caller processes the page; as early as the answer's first bytes when they hold `pageInfo`
	 * (see paginate). For callers that read to the end: one that stops early has paid for one page
	 * it never reads.
	 */
	prefetch?: boolean;
	/** What the user can do when even a page of one record times out (the error's description). */
	timeoutAdvice?: string;
}

/** A page answered within this time counts as light: the page size may grow back (a third of the platform's 30-s deadline). */
export const LIGHT_PAGE_MS = 10_000;

/**
 * The page size of a walk under the platform's timeouts. A timed-out page is asked again, from the
 * same cursor, at half the size (the platform's timeout is deterministic: the same heavy page times
 * out on every retry, so retrying it as is only wastes 30 s each time). Light pages let the size
 * grow back toward the target, never straight back to a size that timed out, and more slowly each
 * time a grown size times out again. Exported for every walker (the polling trigger's lists too).
 */
export class PageSizer {
	/** Records to ask in the next page. */
	size: number;

	/** The size to come back to (lowered for good when the server's complexity cap requires it). */
	private target: number;

	/** The smallest size that timed out and was not asked again since. */
	private ceiling = Number.POSITIVE_INFINITY;

	/** Light pages in a row at this size; `growAfter` of them make it grow. */
	private streak = 0;

	private growAfter = 3;

	/** Whether the current size was reached by growing (its timeout slows the next growth). */
	private grown = false;

	constructor(target: number = PAGE_SIZE) {
		this.target = Math.max(1, Math.min(PAGE_SIZE, Math.floor(target)));
		this.size = this.target;
	}

	/**
	 * A page of `asked` records (the current size unless the list's end asked fewer) timed out: the
	 * next try asks half. False when it was one record already.
	 */
	shrink(asked: number = this.size): boolean {
		const size = Math.min(asked, this.size);
		if (size <= 1) return false;
		if (this.grown) this.growAfter = Math.min(64, this.growAfter * 2);
		this.grown = false;
		this.ceiling = size;
		this.size = Math.max(1, Math.floor(size / 2));
		this.streak = 0;
		return true;
	}

	/**
	 * The server refused a page of `asked` records as too complex (`complexity` over `max`): the cost
	 * grows with the page, so ask the share that fits, and never more for the rest of the walk (the
	 * cap is the server's). False when one record is already too much.
	 */
	fitComplexity(asked: number, complexity: number, max: number): boolean {
		const size = Math.min(asked, this.size);
		if (size <= 1) return false;
		const fits = Math.max(1, Math.min(size - 1, Math.floor((size * max) / complexity) - 1));
		this.target = Math.min(this.target, fits);
		this.size = fits;
		this.ceiling = Math.min(this.ceiling, size);
		this.streak = 0;
		return true;
	}

	/** Whether the walk asks its full size (no timeout being worked around). */
	get steady(): boolean {
		return this.size >= this.target;
	}

	/** A page came back without timing out; `light` when it was quick (under LIGHT_PAGE_MS). */
	succeeded(light: boolean): void {
		if (!light) {
			this.streak = 0;
			return;
		}
		if (this.size >= this.target || ++this.streak < this.growAfter) return;
		this.streak = 0;
		const doubled = Math.min(this.target, this.size * 2);
		// Toward a size that timed out, half the gap at a time; reaching it means it is worth a new try.
		this.size =
			doubled < this.ceiling
				? doubled
				: Math.max(this.size + 1, Math.floor((this.size + this.ceiling) / 2));
		if (this.size >= this.ceiling) this.ceiling = Number.POSITIVE_INFINITY;
		this.grown = true;
	}
}

interface SentPage {
	answer: Promise<GraphqlResult<IDataObject>>;
	after: string | null;
	size: number;
	startedAt: number;
	/** Stops the request: its page is no longer wanted (its answer then rejects, unread). */
	abort: () => void;
	/** The `pageInfo` its answer showed in its first bytes (with prefetch), before the rest arrived. */
	early?: EarlyPageInfo;
	/** Called when `early` arrives, while the walk waits for it. */
	onEarly?: (info: EarlyPageInfo) => void;
}

/**
 * Walks a Relay connection forward, one request per page, yielding each page as it arrives so
 * callers can emit or persist progress without holding everything. Only ever sends `first` and
 * `after` (the platform rejects `first` with `last`, and `after` with `before`). A page that times
 * out is asked again, from the same cursor, smaller (PageSizer): nothing is skipped or read twice.
 *
 * With `prefetch`, pages are pipelined: each answer is read as it arrives and, as soon as its
 * `pageInfo` has come (documents select it before `nodes`), the next page is asked for while the
 * rest of this one arrives, is parsed and turned into items. That request is a guess until this
 * page is whole: it is kept only if the page succeeded with the same cursor and a size the walk
 * would ask anyway, else it is stopped and never read (then the page the walk really needs is
 * asked). One such request at most per walk, so no more requests than without it when nothing fails.
 * While the walk works around timeouts (a page smaller than the target), it waits for each page whole.
 */
export async function* paginate<N>(
	this: DnFunctions,
	options: PaginateOptions<N>,
): AsyncGenerator<Page<N>> {
	const sizer = new PageSizer(Math.min(options.pageSize ?? PAGE_SIZE, PAGE_SIZE));
	let remaining = options.limit ?? Number.POSITIVE_INFINITY;
	// Where the connection sits in `data`, for reading its pageInfo early.
	const connectionPath =
		options.prefetch && options.nodesPath[options.nodesPath.length - 1] === 'nodes'
			? options.nodesPath.slice(0, -1)
			: undefined;
	const request = (cursor: string | null, size: number): SentPage => {
		// Forward only: `last`/`before` beside `first`/`after` is a bad_request on the platform.
		const variables: IDataObject = { ...(options.document.variables ?? {}) };
		delete variables.last;
		delete variables.before;
		variables.first = size;
		if (cursor) variables.after = cursor;
		else delete variables.after;
		const controller = new AbortController();
		const sent: SentPage = {
			answer: Promise.resolve({ data: null }),
			after: cursor,
			size,
			startedAt: Date.now(),
			abort: () => controller.abort(),
		};
		const pageInfo = connectionPath && {
			path: connectionPath,
			onPageInfo: (info: EarlyPageInfo) => {
				// The first attempt that shows it (a retried request may show it again).
				if (sent.early) return;
				sent.early = info;
				sent.onEarly?.(info);
			},
		};
		sent.answer = graphqlRequest.call(
			this,
			{ ...options.document, variables },
			{
				...options.settings,
				intent: 'read',
				partial: true,
				// Above one record a timeout is answered by a smaller page, not by the same page again.
				...(size > 1 ? { retryTimeouts: false } : {}),
				...(pageInfo ? { pageInfo } : {}),
				signal: controller.signal,
			},
		) as Promise<GraphqlResult<IDataObject>>;
		// Awaited on a later turn, or never (stopped, or the caller stopped first): no unhandled rejection.
		sent.answer.catch(() => undefined);
		return sent;
	};
	/** The request sent early for the page after the one being read, until that page is whole. */
	const guess: { page: SentPage | null } = { page: null };
	/** The early request if it is the one the walk needs now, else stops it. */
	const takeGuess = (after: string, size: number): SentPage | null => {
		const page = guess.page;
		guess.page = null;
		if (page && page.after === after && page.size <= size) return page;
		page?.abort();
		return null;
	};
	const dropGuess = () => {
		guess.page?.abort();
		guess.page = null;
	};
	let next: SentPage | null = remaining > 0 ? request(options.after ?? null, Math.min(sizer.size, remaining)) : null;
	try {
		while (next) {
			const sent: SentPage = next;
			next = null;
			if (connectionPath && sizer.steady) {
				// The next page goes out as soon as this one says where it ends, if it says so early.
				const speculate = (info: EarlyPageInfo) => {
					sent.onEarly = undefined;
					const left = remaining - sent.size;
					if (guess.page || !info.hasNextPage || !info.endCursor || left <= 0) return;
					guess.page = request(info.endCursor, Math.min(sizer.size, left));
				};
				if (sent.early) speculate(sent.early);
				else sent.onEarly = speculate;
			}
			const outcome = await sent.answer.then(
				(answer) => ({ answer, failure: undefined }),
				(failure: Error) => ({ answer: undefined, failure }),
			);
			sent.onEarly = undefined;
			if (!outcome.answer) {
				dropGuess();
				// Above the server's complexity cap (nothing ran): ask a page that fits, same cursor.
				const overflow = complexityOverflow(outcome.failure);
				if (overflow && sizer.fitComplexity(sent.size, overflow.complexity, overflow.max)) {
					next = request(sent.after, Math.min(sizer.size, remaining));
					continue;
				}
				throw outcome.failure;
			}
			const { data, errors = [] } = outcome.answer;
			const connection = data ? options.connection(data) : null;
			if (errors.some(isTimeoutError)) {
				// A page that timed out: whatever its pageInfo said early, its guess is wrong.
				dropGuess();
				if (sizer.shrink(sent.size)) {
					next = request(sent.after, Math.min(sizer.size, remaining));
					continue;
				}
				// One record per page still timed out after the usual retries: go on only if the page
				// says where it ends (that record is then reported lost), else nothing can be read further.
				if (!connection?.nodes || !connection.pageInfo?.endCursor) {
					throw await timeoutError.call(this, options, errors, sent.size);
				}
			} else sizer.succeeded(Date.now() - sent.startedAt < LIGHT_PAGE_MS);
			if (!connection) {
				dropGuess();
				// Partial data without the connection: nothing usable, surface the errors.
				const { baseUrl, token } = await getDnCredentials(this);
				if (errors.length) {
					throw rootErrorsToApiError(this.getNode(), errors, baseUrl, token, options.settings?.itemIndex);
				}
				throw apiError(
					this.getNode(),
					{
						message: `The platform returned no list for ${options.document.operationName}`,
						description:
							'The answer had no error but no dossiers either: the object may have been deleted, or the server is a fork that answers differently. Check the number, then retry.',
						itemIndex: options.settings?.itemIndex,
					},
					token,
				);
			}
			const page = toPage(connection, errors, options.nodesPath, sent.after);
			const records = connection.nodes?.length ?? 0;
			remaining -= records;
			const more = page.hasNextPage && page.endCursor && records > 0 && remaining > 0;
			if (more && options.prefetch) {
				const size = Math.min(sizer.size, remaining);
				next = takeGuess(page.endCursor as string, size) ?? request(page.endCursor, size);
			} else dropGuess();
			yield page;
			if (more && !options.prefetch) next = request(page.endCursor, Math.min(sizer.size, remaining));
		}
	} finally {
		// The caller stopped early, or a page failed: requests sent ahead are not read.
		dropGuess();
		next?.abort();
	}
}

/** Sorts one answer's records and errors (see Page). */
function toPage<N>(
	connection: Connection<N>,
	errors: GraphqlError[],
	nodesPath: string[],
	after: string | null,
): Page<N> {
	const raw = connection.nodes ?? [];
	const isLost = (index: number) => raw[index] === null || raw[index] === undefined;
	// Each error goes to the record its path points into, if any.
	const byRecord = new Map<number, GraphqlError[]>();
	const linksOf = new Map<number, GraphqlError[]>();
	const unplaced: GraphqlError[] = [];
	for (const error of errors) {
		const index = recordIndex(error.path, nodesPath);
		if (index === undefined) unplaced.push(error);
		else if (isHiddenLinkError(error) && !isLost(index))
			linksOf.set(index, [...(linksOf.get(index) ?? []), error]);
		else byRecord.set(index, [...(byRecord.get(index) ?? []), error]);
	}
	const nodes: N[] = [];
	raw.forEach((node, index) => {
		// A null record is lost, even without an error naming it: never dropped silently.
		if (node === null || node === undefined) byRecord.set(index, byRecord.get(index) ?? []);
		else nodes.push(node);
	});
	const records = [...byRecord.entries()].map(([index, errs]) => ({ index, errors: errs }));
	const lost = records.filter((record) => isLost(record.index));
	// An error inside a record that still came back (a nullable field): the record is kept.
	const damaged = records.filter((record) => !isLost(record.index));
	return {
		nodes,
		lost,
		damaged,
		hiddenLinks: [...linksOf.entries()].map(([index, errs]) => ({ index, errors: errs })),
		errors: unplaced.concat(damaged.flatMap((record) => record.errors)),
		endCursor: connection.pageInfo.endCursor ?? null,
		hasNextPage: connection.pageInfo.hasNextPage,
		after,
	};
}

/** Even one record per page timed out: say so, with what the user can change. */
async function timeoutError<N>(
	this: DnFunctions,
	options: PaginateOptions<N>,
	errors: GraphqlError[],
	size: number,
) {
	const { baseUrl, token } = await getDnCredentials(this);
	const first = errors.find(isTimeoutError) ?? errors[0];
	return apiError(
		this.getNode(),
		{
			message: `The platform timed out (30 s) on ${options.document.operationName} even with ${size} record${size === 1 ? '' : 's'} per page: ${first.message}`,
			description: options.timeoutAdvice ?? describeGraphqlError(first, baseUrl),
			code: 'timeout',
			path: first.path,
			itemIndex: options.settings?.itemIndex,
		},
		token,
	);
}

function recordIndex(path: Array<string | number> | undefined, nodesPath: string[]): number | undefined {
	if (!path || path.length <= nodesPath.length) return undefined;
	for (let i = 0; i < nodesPath.length; i++) if (path[i] !== nodesPath[i]) return undefined;
	const index = path[nodesPath.length];
	return typeof index === 'number' ? index : undefined;
}
