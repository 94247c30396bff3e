'use strict';
/**
 * Keyset pagination as the platform does it (Connections::CursorConnection): order by a
 * timestamp then id, `first`/`after` forward, `last`/`before` backward, at most 100 per page,
 * `hasNextPage` true whenever `before` is given, `hasPreviousPage` true whenever `after` is.
 * Stricter than the platform on one point, on purpose: a cursor is bound to the filters it was
 * issued with, and using it with other filters is a `bad_request`.
 */
const { GraphQLError } = require('graphql');
const { lowerBound } = require('./store');
const { hashString } = require('./util');

const MAX_PAGE_SIZE = 100;

function badRequest(message) {
	return new GraphQLError(message, { extensions: { code: 'bad_request' } });
}

/**
 * The platform's cursor (CursorConnection#cursor_from_column): base64 of `<ordering time, UTC, with
 * nanoseconds>;<id>`. The sandbox appends `;<filter hash>` (a third field the platform's
 * `decode(cursor).split(';')` would ignore) for its filter check. Sandbox times have milliseconds.
 */
function encodeCursor(key, number, filterHash) {
	const time = new Date(key).toISOString().replace(/Z$/, '000000Z');
	return Buffer.from(`${time};${number};${filterHash}`).toString('base64url');
}

/** Base64Encoder.decode (gql-ruby 2.5.4): text outside the url-safe alphabet does not decode. */
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * The position a cursor names, as CursorConnection reads it: text that is not base64 fails with
 * `Invalid input: "<cursor>"` (no code, data null); base64 that holds no position gives an empty
 * page, silently; a position whose date is not a date is a 400 `bad_request` on newer servers
 * (graphql_controller.rb @idx:03494bcf; a 500 before). The filter check is the sandbox's own (3.12).
 * @returns {{key: number, number: number} | null} null: nothing after it (an empty page)
 */
function decodeCursor(cursor, filterHash) {
	const text = String(cursor);
	if (!BASE64URL.test(text)) throw new GraphQLError(`Invalid input: ${JSON.stringify(text)}`);
	const parts = Buffer.from(text, 'base64url').toString('utf8').split(';');
	if (parts.length !== 3) return null;
	const key = Date.parse(parts[0]);
	const number = /^\d+$/.test(parts[1]) ? Number(parts[1]) : NaN;
	if (!Number.isFinite(key) || !Number.isFinite(number))
		throw Object.assign(badRequest('invalid date'), { httpStatus: 400 });
	if (parts[2] !== filterHash) {
		throw badRequest('Invalid cursor: it was issued for a query with other filters');
	}
	return { key, number };
}

/** A stable hash of the arguments that define the list (everything except the page arguments). */
function filterHashOf(scope, filters) {
	const normalized = Object.keys(filters)
		.sort()
		.filter((k) => filters[k] !== undefined && filters[k] !== null)
		.map((k) => `${k}=${filters[k]}`)
		.join('&');
	return hashString(`${scope}?${normalized}`).toString(36);
}

/**
 * @param {Array<{number: number}>} list sorted by (keyOf, number)
 * @param {{first?: number, last?: number, after?: string, before?: string}} args
 * @param {{keyOf: (item: any) => number, filterHash: string, accept: (item: any) => boolean, startKey?: number}} spec
 *   startKey: lower bound of the key the filters allow (skips the list prefix quickly)
 * @returns {{items: any[], cursors: string[], hasNextPage: boolean, hasPreviousPage: boolean}}
 */
function paginate(list, args, spec) {
	const { after, before } = args;
	const present = (v) => v !== undefined && v !== null;
	// graphql-ruby clamps a negative `first`/`last` to 0 before the app sees it (limit_pagination_argument),
	// so the app's own "must be a non-negative integer" check never fires.
	const first = present(args.first) ? Math.max(0, args.first) : args.first;
	const last = present(args.last) ? Math.max(0, args.last) : args.last;
	if (present(first) && present(last))
		throw badRequest('Arguments "first" and "last" are exclusive');
	if (present(before) && present(after))
		throw badRequest('Arguments "before" and "after" are exclusive');

	if (present(last) && args.order === 'DESC')
		throw badRequest('Argument "last" is not supported with order "desc"');

	const limit =
		Math.min(present(first) ? first : Infinity, present(last) ? last : Infinity, MAX_PAGE_SIZE) + 1;
	const cursor = present(after) || present(before) ? decodeCursor(after || before, spec.filterHash) : undefined;
	if (cursor === null)
		return { items: [], cursors: [], hasNextPage: present(before), hasPreviousPage: present(after) };
	if (args.order === 'DESC') return paginateDescending(list, args, spec, limit);
	const inverted = present(last) || present(before);
	const { keyOf, accept } = spec;
	const found = [];
	if (!inverted) {
		let index = 0;
		if (present(after)) {
			const c = decodeCursor(after, spec.filterHash);
			index = lowerBound(list, keyOf, c.key, c.number, true);
		}
		if (spec.startKey !== undefined)
			index = Math.max(index, lowerBound(list, keyOf, spec.startKey, -Infinity, false));
		for (; index < list.length && found.length < limit; index++) {
			if (accept(list[index])) found.push(list[index]);
		}
	} else {
		let index = list.length - 1;
		if (present(before)) {
			const c = decodeCursor(before, spec.filterHash);
			index = lowerBound(list, keyOf, c.key, c.number, false) - 1;
		}
		const floor =
			spec.startKey !== undefined ? lowerBound(list, keyOf, spec.startKey, -Infinity, false) : 0;
		for (; index >= floor && found.length < limit; index--) {
			if (accept(list[index])) found.push(list[index]);
		}
	}
	const hasNextPage = present(before) || (found.length === limit && !inverted);
	const hasPreviousPage = present(after) || (found.length === limit && inverted);
	const items = found.slice(0, limit - 1);
	if (inverted) items.reverse();
	return {
		items,
		cursors: items.map((item) => encodeCursor(keyOf(item), item.number, spec.filterHash)),
		hasNextPage,
		hasPreviousPage,
	};
}

/** The deprecated `order: DESC`: newest first, `after` continues toward older items. */
function paginateDescending(list, args, spec, limit) {
	const { keyOf, accept } = spec;
	const present = (v) => v !== undefined && v !== null;
	const floor =
		spec.startKey !== undefined ? lowerBound(list, keyOf, spec.startKey, -Infinity, false) : 0;
	const found = [];
	if (!present(args.before)) {
		let index = list.length - 1;
		if (present(args.after)) {
			const c = decodeCursor(args.after, spec.filterHash);
			index = lowerBound(list, keyOf, c.key, c.number, false) - 1;
		}
		for (; index >= floor && found.length < limit; index--)
			if (accept(list[index])) found.push(list[index]);
	} else {
		const c = decodeCursor(args.before, spec.filterHash);
		for (
			let index = Math.max(floor, lowerBound(list, keyOf, c.key, c.number, true));
			index < list.length && found.length < limit;
			index++
		) {
			if (accept(list[index])) found.push(list[index]);
		}
	}
	const items = found.slice(0, limit - 1);
	if (present(args.before)) items.reverse();
	return {
		items,
		cursors: items.map((item) => encodeCursor(keyOf(item), item.number, spec.filterHash)),
		hasNextPage: present(args.before) ? true : found.length === limit,
		hasPreviousPage: present(args.after) || (present(args.before) && found.length === limit),
	};
}

/** The GraphQL connection object ({nodes, edges, pageInfo}) of a page. */
function connectionOf(page, mapNode = (x) => x) {
	const nodes = page.items.map(mapNode);
	return {
		nodes,
		edges: nodes.map((node, i) => ({ node, cursor: page.cursors[i] })),
		pageInfo: {
			hasNextPage: page.hasNextPage,
			hasPreviousPage: page.hasPreviousPage,
			startCursor: page.cursors.length ? page.cursors[0] : null,
			endCursor: page.cursors.length ? page.cursors[page.cursors.length - 1] : null,
		},
	};
}

module.exports = {
	paginate,
	connectionOf,
	filterHashOf,
	encodeCursor,
	decodeCursor,
	MAX_PAGE_SIZE,
	badRequest,
};
