'use strict';
/**
 * The platform's query timeout (GraphQL::Schema::Timeout, 30 s: `api/v2/schema.rb` @e1338d7), made
 * deterministic: time is replaced by work, so the same heavy page times out on every retry.
 *
 * Upstream (graphql-ruby 2.5.4 `Schema::Timeout`): before each field starts, the deadline is checked;
 * a field that starts after it resolves to an error `Timeout on <Owner>.<field>` (only the first one
 * carries `extensions.code: timeout`) and nulls propagate through non-null fields. A running resolver
 * is never interrupted. Where the time goes (`connections/dossiers_connection.rb` @e1338d7):
 * - `load_nodes` runs the page's SQL and, when the nodes select `champs` or `annotations`, the
 *   DossierPreloader of the whole page. It is called by the first of `pageInfo { … }` / `nodes` /
 *   `edges` to resolve; that field completes, every later one times out: with `pageInfo` first,
 *   `{hasNextPage: true, endCursor: null}` + `Timeout on PageInfo.endCursor` (coded) and
 *   `nodes: null` + `Timeout on DossierConnection.nodes` (PR #14047's description: the shape of
 *   every timeout seen in production). `deletedDossiers`/`pendingDeletedDossiers` pages likewise.
 * - Without champs, the page loads fast and the time goes into serialising each dossier (lazy
 *   loaders: messages, avis, labels…): the first nodes are served, the later ones are null with one
 *   error each (`Timeout on Dossier.<first field>`), `pageInfo` complete.
 *
 * The sandbox's work units: a dossier row weighs 1 + the number of composite fields its selection asks
 * for (demandeur, champs, messages…: "selected parts"), a deleted-dossier row weighs 1. A page whose
 * rows × weight exceed the budget times out as above: at load when the page is preloaded (or is a
 * deletion list), else at the first node that does not fit. Settings: `sandbox.timeouts`
 * `{budget: number|null (null = never), demarches: number[]|null (null = all)}` (control API
 * `POST /__sandbox/timeouts`, start option `timeoutBudget`). The one-shot fault `timeout` is a page
 * whose SQL is slow: the deadline passes in the first page load (or, without a list, at the first
 * field under the root).
 */
const { GraphQLError, Kind } = require('graphql');

/** The timing of one request, or null when nothing can time out. */
function newTiming(sandbox, fault) {
	if (fault)
		return {
			budget: 0,
			demarches: null,
			fault: true,
			spent: 0,
			expired: false,
			errors: 0,
			nodeCosts: new Map(),
		};
	const { budget, demarches } = sandbox.timeouts || {};
	if (budget === null || budget === undefined) return null;
	return {
		budget: Number(budget),
		demarches,
		fault: false,
		spent: 0,
		expired: false,
		errors: 0,
		nodeCosts: new Map(),
	};
}

function timeoutError(timing, info) {
	timing.errors += 1;
	// Only the first timeout is handed to the app's handle_timeout, which adds the code.
	return new GraphQLError(
		`Timeout on ${info.parentType.name}.${info.fieldName}`,
		timing.errors === 1 ? { extensions: { code: 'timeout' } } : {},
	);
}

/** Wraps a field resolver: a field that starts after the deadline is a timeout error. */
function timeoutGuard(resolve) {
	return (source, args, ctx, info) => {
		const timing = ctx.timing;
		if (timing) {
			if (timing.expired) throw timeoutError(timing, info);
			const cost = timing.nodeCosts.get(source);
			if (cost !== undefined) {
				// The first field of a dossier of a heavy page: its serialisation starts now.
				timing.nodeCosts.delete(source);
				timing.spent += cost;
				if (timing.spent > timing.budget) {
					timing.expired = true;
					throw timeoutError(timing, info);
				}
			}
		}
		return resolve(source, args, ctx, info);
	};
}

/** The field selections (fragments expanded) of a selection set, as [name, selectionSet] pairs. */
function fieldsOf(selectionSet, fragments, out = []) {
	for (const selection of (selectionSet && selectionSet.selections) || []) {
		if (selection.kind === Kind.FIELD) out.push(selection);
		else if (selection.kind === Kind.INLINE_FRAGMENT)
			fieldsOf(selection.selectionSet, fragments, out);
		else if (selection.kind === Kind.FRAGMENT_SPREAD && fragments[selection.name.value])
			fieldsOf(fragments[selection.name.value].selectionSet, fragments, out);
	}
	return out;
}

/**
 * What a `dossiers` field asks of each dossier: `weight` = 1 + its composite fields (the "parts"),
 * `preload` = whether it selects champs or annotations (DossiersConnection#preload?).
 */
function dossierSelection(info) {
	const names = new Set();
	for (const connectionField of info.fieldNodes)
		for (const field of fieldsOf(connectionField.selectionSet, info.fragments)) {
			const nodeFields =
				field.name.value === 'nodes'
					? [field]
					: field.name.value === 'edges'
						? fieldsOf(field.selectionSet, info.fragments).filter((f) => f.name.value === 'node')
						: [];
			for (const nodes of nodeFields)
				for (const f of fieldsOf(nodes.selectionSet, info.fragments))
					if (f.selectionSet) names.add(f.name.value);
		}
	return { weight: 1 + names.size, preload: names.has('champs') || names.has('annotations') };
}

/**
 * Arms a connection object ({nodes, edges, pageInfo}) of a démarche's page: its first read
 * (`load`, called by nodes, edges and every PageInfo field) spends the page's work.
 * @param {{rows: object[], weight: number, preload: boolean}} page
 */
function timedConnection(ctx, connection, demarche, { rows, weight, preload }) {
	const timing = ctx.timing;
	if (!timing || (timing.demarches && !timing.demarches.includes(demarche))) return connection;
	let loaded = false;
	connection.load = () => {
		if (loaded) return;
		loaded = true;
		if (timing.fault) timing.expired = true;
		else if (preload) {
			timing.spent += rows.length * weight;
			if (timing.spent > timing.budget) timing.expired = true;
		} else for (const row of rows) timing.nodeCosts.set(row, weight);
	};
	return connection;
}

/** Resolvers of the connection types that make the page load on first read. */
function loadingResolvers() {
	const loading = (key) => (connection) => {
		if (connection.load) connection.load();
		return connection[key];
	};
	const connection = {
		nodes: loading('nodes'),
		edges: loading('edges'),
		pageInfo: (c) => ({ ...c.pageInfo, owner: c }),
	};
	const pageInfo = {};
	for (const key of ['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'])
		pageInfo[key] = (p) => {
			if (p.owner && p.owner.load) p.owner.load();
			return p[key];
		};
	return {
		DossierConnection: connection,
		DeletedDossierConnection: connection,
		PageInfo: pageInfo,
	};
}

/**
 * After execution, for the fault only: a request that loaded no page (a single dossier, a démarche)
 * timed out at its first root field, as upstream with the deadline already past: `data: null`.
 */
function faultWithoutPage(timing, document, operationName) {
	if (!timing || !timing.fault || timing.expired) return null;
	const operation = document.definitions.find(
		(d) =>
			d.kind === Kind.OPERATION_DEFINITION &&
			(!operationName || (d.name && d.name.value === operationName)),
	);
	const root = operation && operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
	const owner = operation && operation.operation === 'mutation' ? 'Mutation' : 'Query';
	return {
		errors: [
			{
				message: `Timeout on ${owner}.${root ? root.name.value : 'unknown'}`,
				locations: root && root.loc ? [locationOf(document, root)] : undefined,
				path: root ? [root.alias ? root.alias.value : root.name.value] : undefined,
				extensions: { code: 'timeout' },
			},
		],
		data: null,
	};
}

function locationOf(document, node) {
	const { getLocation } = require('graphql');
	return getLocation(document.loc.source, node.loc.start);
}

module.exports = {
	newTiming,
	timeoutGuard,
	dossierSelection,
	timedConnection,
	loadingResolvers,
	faultWithoutPage,
};
