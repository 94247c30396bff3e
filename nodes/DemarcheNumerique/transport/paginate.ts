import type { IDataObject } from 'n8n-workflow';

import type { DnFunctions } from './context';
import type { GraphqlError } from './errors';
import { apiError } from './errors';
import type { GraphqlDocument, GraphqlResult, RequestSettings } from './graphql';
import { graphqlRequest, rootErrorsToApiError } from './graphql';
import { getDnCredentials } from './context';
import { PAGE_SIZE } from '../graphql/queries';

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
	pageSize?: number;
	settings?: Omit<RequestSettings, 'intent'>;
	/**
	 * Send the request for the next page before yielding this one, so it is on its way while the
	 * caller processes the page (still one request at a time). For callers that read to the end:
	 * one that stops early has paid for one page it never reads.
	 */
	prefetch?: boolean;
}

/**
 * Walks a Relay connection forward, one request per page, yielding each page as it arrives so
 * callers can emit or persist progress without holding everything. Only ever sends `first` and
 * `after` (the platform rejects `first` with `last`, and `after` with `before`).
 */
export async function* paginate<N>(
	this: DnFunctions,
	options: PaginateOptions<N>,
): AsyncGenerator<Page<N>> {
	const pageSize = Math.min(options.pageSize ?? PAGE_SIZE, PAGE_SIZE);
	let remaining = options.limit ?? Number.POSITIVE_INFINITY;
	let after = options.after ?? null;
	const request = (cursor: string | null) => {
		// Forward only: `last`/`before` beside `first`/`after` is a bad_request on the platform.
		const variables: IDataObject = { ...(options.document.variables ?? {}) };
		delete variables.last;
		delete variables.before;
		variables.first = Math.min(pageSize, remaining);
		if (cursor) variables.after = cursor;
		else delete variables.after;
		const answer = graphqlRequest.call(
			this,
			{ ...options.document, variables },
			{ ...options.settings, intent: 'read', partial: true },
		) as Promise<GraphqlResult<IDataObject>>;
		// With prefetch, awaited on the next turn; if the caller stops first, its failure concerns no one.
		answer.catch(() => undefined);
		return answer;
	};
	let next: Promise<GraphqlResult<IDataObject>> | null = remaining > 0 ? request(after) : null;
	while (next) {
		const { data, errors = [] } = await next;
		next = null;
		const connection = data ? options.connection(data) : null;
		if (!connection) {
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
		// Each error goes to the record its path points into, if any.
		const byRecord = new Map<number, GraphqlError[]>();
		const unplaced: GraphqlError[] = [];
		for (const error of errors) {
			const index = recordIndex(error.path, options.nodesPath);
			if (index === undefined) unplaced.push(error);
			else byRecord.set(index, [...(byRecord.get(index) ?? []), error]);
		}
		const raw = connection.nodes ?? [];
		const nodes: N[] = [];
		raw.forEach((node, index) => {
			// A null record is lost, even without an error naming it: never dropped silently.
			if (node === null || node === undefined) byRecord.set(index, byRecord.get(index) ?? []);
			else nodes.push(node);
		});
		const isLost = (index: number) => raw[index] === null || raw[index] === undefined;
		const records = [...byRecord.entries()].map(([index, errs]) => ({ index, errors: errs }));
		const lost = records.filter((record) => isLost(record.index));
		// An error inside a record that still came back (a nullable field): the record is kept.
		const damaged = records.filter((record) => !isLost(record.index));
		const page: Page<N> = {
			nodes,
			lost,
			damaged,
			errors: unplaced.concat(damaged.flatMap((record) => record.errors)),
			endCursor: connection.pageInfo.endCursor ?? null,
			hasNextPage: connection.pageInfo.hasNextPage,
			after,
		};
		remaining -= raw.length;
		const more = page.hasNextPage && page.endCursor && raw.length > 0 && remaining > 0;
		if (more && options.prefetch) next = request((after = page.endCursor));
		yield page;
		if (more && !options.prefetch) next = request((after = page.endCursor));
	}
}

function recordIndex(path: Array<string | number> | undefined, nodesPath: string[]): number | undefined {
	if (!path || path.length <= nodesPath.length) return undefined;
	for (let i = 0; i < nodesPath.length; i++) if (path[i] !== nodesPath[i]) return undefined;
	const index = path[nodesPath.length];
	return typeof index === 'number' ? index : undefined;
}
