'use strict';
/**
 * The platform's query analysis (depth and complexity caps, graphql-ruby 2.5.4).
 *
 * A query's complexity as graphql-ruby 2.5.4 computes it (`GraphQL::Analysis::QueryComplexity`,
 * `Schema::Field#calculate_complexity`), for the cap the platform enforces since PR #13549
 * (`max_complexity 60_000`, `GRAPHQL_MAX_COMPLEXITY`, 0 = none). No field of the platform sets its
 * own complexity (`git grep complexity app/graphql` is empty @e1338d7), so every field costs 1.
 *
 * - Selections are grouped by parent type then response key (fragments only change the parent
 *   type; fields skipped by @skip/@include do not count; `__typename` counts, as
 *   `max_complexity_count_introspection_fields` defaults to true).
 * - A selection set costs the maximum over the concrete types it may resolve to (an interface's
 *   implementations) of the sum, per response key, of that key's cost.
 * - A field costs 1 + its children; a connection field (return type named `…Connection`) costs
 *   1 + page × (children − metadata) + metadata, where page = `first` as sent (or `last` if larger,
 *   100 when neither: `default_page_size`), NOT clamped to the 100 the platform serves, and
 *   metadata = 1 per direct selection plus, for those other than `nodes`/`edges`, their own number
 *   of selections. Plain lists (champs, messages) do not multiply.
 * - Modes: `future` (graphql-ruby 2.5.4 without a configured mode, and `:future` set by PR #13912)
 *   takes the costliest of several selections of a key; `legacy` (2.5.26 without a configured
 *   mode) takes the last one.
 */
const {
	Kind,
	getNamedType,
	isAbstractType,
	TypeNameMetaFieldDef,
	SchemaMetaFieldDef,
	TypeMetaFieldDef,
} = require('graphql');
const {
	getArgumentValues,
	getDirectiveValues,
	getVariableValues,
} = require('graphql/execution/values');
const { GraphQLSkipDirective, GraphQLIncludeDirective } = require('graphql');

const DEFAULT_PAGE_SIZE = 100;

class Scope {
	constructor(fieldDef) {
		this.fieldDef = fieldDef;
		this.nodes = [];
		/** @type {Map<import('graphql').GraphQLNamedType, Map<string, Scope>>} */
		this.children = new Map();
		this.signature = undefined;
	}

	get composite() {
		return this.children.size > 0;
	}
}

function skipped(node, variables) {
	if (!node.directives || node.directives.length === 0) return false;
	const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
	if (skip && skip.if === true) return true;
	const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
	return Boolean(include && include.if === false);
}

/** The operation to run (the named one, or the first) and the document's fragments by name. */
function partsOf(document, operationName) {
	const fragments = Object.create(null);
	let operation = null;
	for (const definition of document.definitions) {
		if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
		else if (
			definition.kind === Kind.OPERATION_DEFINITION &&
			(!operationName || (definition.name && definition.name.value === operationName))
		)
			operation = operation || definition;
	}
	return { fragments, operation };
}

function fieldDefinition(schema, parentType, name) {
	if (name === '__typename') return TypeNameMetaFieldDef;
	if (parentType === schema.getQueryType()) {
		if (name === '__schema') return SchemaMetaFieldDef;
		if (name === '__type') return TypeMetaFieldDef;
	}
	return parentType.getFields ? parentType.getFields()[name] : undefined;
}

/**
 * @param {import('graphql').GraphQLSchema} schema
 * @param {import('graphql').DocumentNode} document a document that passed validation
 * @param {object} [variables]
 * @param {string} [operationName]
 * @param {{mode?: 'future'|'legacy'}} [options]
 * @returns {number}
 */
function queryComplexity(
	schema,
	document,
	variables = {},
	operationName,
	{ mode = 'future' } = {},
) {
	const { fragments, operation } = partsOf(document, operationName);
	if (!operation) return 0;
	// Variables as the query runs with them: defaults applied (`$include…: Boolean = false`).
	const coerced = getVariableValues(schema, operation.variableDefinitions || [], variables || {});
	if (coerced.coerced) variables = coerced.coerced;
	const rootType =
		operation.operation === 'mutation'
			? schema.getMutationType()
			: operation.operation === 'subscription'
				? schema.getSubscriptionType()
				: schema.getQueryType();

	const visit = (selectionSet, parentType, scope) => {
		for (const selection of selectionSet.selections) {
			if (skipped(selection, variables)) continue;
			if (selection.kind === Kind.FIELD) {
				const name = selection.name.value;
				const fieldDef = fieldDefinition(schema, parentType, name);
				if (!fieldDef) continue;
				const key = selection.alias ? selection.alias.value : name;
				let byKey = scope.children.get(parentType);
				if (!byKey) scope.children.set(parentType, (byKey = new Map()));
				let child = byKey.get(key);
				if (!child) byKey.set(key, (child = new Scope(fieldDef)));
				child.nodes.push(selection);
				if (selection.selectionSet)
					visit(selection.selectionSet, getNamedType(fieldDef.type), child);
			} else if (selection.kind === Kind.INLINE_FRAGMENT) {
				const type = selection.typeCondition
					? schema.getType(selection.typeCondition.name.value)
					: parentType;
				visit(selection.selectionSet, type, scope);
			} else if (selection.kind === Kind.FRAGMENT_SPREAD) {
				const fragment = fragments[selection.name.value];
				if (fragment)
					visit(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), scope);
			}
		}
	};
	const root = new Scope(null);
	visit(operation.selectionSet, rootType, root);

	const possible = new Map();
	const possibleTypes = (type) => {
		let types = possible.get(type);
		if (!types)
			possible.set(type, (types = isAbstractType(type) ? schema.getPossibleTypes(type) : [type]));
		return types;
	};
	const memo = memoFor(schema);
	const intersect = (a, b) => {
		if (a === b) return true;
		let row = memo.intersections.get(a);
		if (!row) memo.intersections.set(a, (row = new Map()));
		let result = row.get(b);
		if (result === undefined) {
			const aTypes = possibleTypes(a);
			row.set(b, (result = possibleTypes(b).some((t) => aTypes.includes(t))));
		}
		return result;
	};

	// A scope's cost depends only on its shape: the same selections (a fragment spread in many
	// places, in many documents) are costed once, by their interned signature.
	const signature = (scope) => {
		if (scope.signature !== undefined) return scope.signature;
		const parts = [];
		for (const [type, byKey] of scope.children)
			for (const [key, child] of byKey) parts.push(`${type.name}.${key}=${signature(child)}`);
		const args =
			scope.fieldDef && scope.nodes.length
				? JSON.stringify(getArgumentValues(scope.fieldDef, scope.nodes[0], variables))
				: '';
		const text = `${scope.fieldDef ? scope.fieldDef.name : ''}(${args}){${parts.join(',')}}`;
		let id = memo.signatures.get(text);
		if (id === undefined) memo.signatures.set(text, (id = memo.signatures.size));
		return (scope.signature = id);
	};
	const forScopes = (scopes) => {
		if (scopes.length !== 1) return forScopesUncached(scopes);
		const key = `${mode}:${signature(scopes[0])}`;
		let cost = memo.costs.get(key);
		if (cost === undefined) memo.costs.set(key, (cost = forScopesUncached(scopes)));
		return cost;
	};

	/** The costliest concrete type of several scopes' selections (merged_max_complexity_for_scopes). */
	const forScopesUncached = (scopes) => {
		const concrete = new Set();
		for (const scope of scopes)
			for (const type of scope.children.keys())
				for (const t of possibleTypes(type)) concrete.add(t);
		let max = 0;
		for (const type of concrete) {
			const inner = [];
			for (const scope of scopes)
				for (const [scopeType, byKey] of scope.children)
					if (intersect(scopeType, type)) inner.push(byKey);
			const cost = mode === 'legacy' ? legacyMerged(inner) : merged(inner);
			if (cost > max) max = cost;
		}
		return max;
	};

	const keysOf = (inner) => {
		const keys = [];
		for (const byKey of inner)
			for (const key of byKey.keys()) if (!keys.includes(key)) keys.push(key);
		return keys;
	};

	const merged = (inner) => {
		let total = 0;
		for (const key of keysOf(inner)) {
			const scopes = inner.map((byKey) => byKey.get(key)).filter(Boolean);
			const children = scopes.some((s) => s.composite) ? forScopes(scopes) : 0;
			let max = 0;
			for (const scope of scopes) max = Math.max(max, own(scope, children));
			total += max;
		}
		return total;
	};

	const legacyMerged = (inner) => {
		let total = 0;
		for (const key of keysOf(inner)) {
			let cost = 0;
			const composites = [];
			for (const byKey of inner) {
				const scope = byKey.get(key);
				if (!scope) continue;
				if (!scope.composite) cost = own(scope, 0);
				else composites.push(scope);
			}
			if (composites.length) cost = own(composites[composites.length - 1], forScopes(composites));
			total += cost;
		}
		return total;
	};

	/** Field#calculate_complexity: 1 + children, or the connection formula. */
	const own = (scope, children) => {
		const type = getNamedType(scope.fieldDef.type);
		const connection = /Connection$/.test(type.name) && type.name !== 'Connection';
		if (!connection) return 1 + children;
		const args = getArgumentValues(scope.fieldDef, scope.nodes[0], variables);
		let page = typeof args.first === 'number' ? args.first : null;
		if (typeof args.last === 'number' && (page === null || args.last > page)) page = args.last;
		if (page === null) page = DEFAULT_PAGE_SIZE;
		const metadata = lookaheadMetadata(scope, type);
		return 1 + page * (children - metadata) + metadata;
	};

	/** Sum over the connection's direct selections: 1 each, plus their own selections but for nodes/edges. */
	const lookaheadMetadata = (scope, type) => {
		const selections = new Map();
		for (const node of scope.nodes) collectFields(node.selectionSet, type, selections);
		let metadata = 0;
		for (const [, nodes] of selections) {
			metadata += 1;
			const name = nodes[0].name.value;
			if (name !== 'nodes' && name !== 'edges') {
				const inner = new Map();
				const fieldDef = fieldDefinition(schema, type, name);
				for (const node of nodes)
					if (node.selectionSet && fieldDef)
						collectFields(node.selectionSet, getNamedType(fieldDef.type), inner);
				metadata += inner.size;
			}
		}
		return metadata;
	};

	/** Fields of a selection set that apply to `type`, by response key (Lookahead#selections). */
	const collectFields = (selectionSet, type, out) => {
		if (!selectionSet) return;
		for (const selection of selectionSet.selections) {
			if (skipped(selection, variables)) continue;
			if (selection.kind === Kind.FIELD) {
				const key = selection.alias ? selection.alias.value : selection.name.value;
				if (!out.has(key)) out.set(key, []);
				out.get(key).push(selection);
			} else {
				const fragment =
					selection.kind === Kind.FRAGMENT_SPREAD ? fragments[selection.name.value] : selection;
				if (!fragment) continue;
				const condition = fragment.typeCondition
					? schema.getType(fragment.typeCondition.name.value)
					: type;
				if (condition && intersect(condition, type))
					collectFields(fragment.selectionSet, type, out);
			}
		}
	};

	return forScopes([root]);
}

/**
 * The query's depth as graphql-ruby 2.5.4's QueryDepth counts it: one level per field, fragments
 * expanded where spread, fields skipped by @skip/@include left out, introspection fields counted
 * (`max_depth 15` keeps `count_introspection_fields: true`).
 */
function queryDepth(document, variables = {}, operationName) {
	const { fragments, operation } = partsOf(document, operationName);
	if (!operation) return 0;
	const depthOf = (selectionSet, seen) => {
		let max = 0;
		for (const selection of selectionSet.selections) {
			if (skipped(selection, variables)) continue;
			let depth = 0;
			if (selection.kind === Kind.FIELD)
				depth = 1 + (selection.selectionSet ? depthOf(selection.selectionSet, seen) : 0);
			else if (selection.kind === Kind.INLINE_FRAGMENT)
				depth = depthOf(selection.selectionSet, seen);
			else if (fragments[selection.name.value] && !seen.has(selection.name.value))
				depth = depthOf(
					fragments[selection.name.value].selectionSet,
					new Set([...seen, selection.name.value]),
				);
			if (depth > max) max = depth;
		}
		return max;
	};
	return depthOf(operation.selectionSet, new Set());
}

/** Per schema: type intersections, interned selection signatures and their costs (bounded). */
const memos = new WeakMap();
function memoFor(schema) {
	let memo = memos.get(schema);
	if (!memo || memo.signatures.size > 200000) {
		memo = { intersections: new Map(), signatures: new Map(), costs: new Map() };
		memos.set(schema, memo);
	}
	return memo;
}

/** The platform's refusal (GraphQL::Analysis::MaxQueryComplexity): HTTP 200, no data, no locations, no code. */
function complexityError(complexity, max) {
	return {
		errors: [
			{ message: `Query has complexity of ${complexity}, which exceeds max complexity of ${max}` },
		],
	};
}

/** PR #13549's default (`DEFAULT_MAX_COMPLEXITY`). */
const DEFAULT_MAX_COMPLEXITY = 60000;
/** `max_depth 15` (api/v2/schema.rb @e1338d7). */
const MAX_DEPTH = 15;

/**
 * The analysis graphql-ruby runs after validation and before execution (ValidationPipeline: depth,
 * then complexity), as the platform answers it: HTTP 200 `{errors: [{message}]}` (no data, no
 * location, no code), or null when the query may run.
 */
function analysisErrors(schema, document, variables, operationName, { maxComplexity }) {
	const errors = [];
	const depth = queryDepth(document, variables, operationName);
	if (depth > MAX_DEPTH)
		errors.push({
			message: `Query has depth of ${depth}, which exceeds max depth of ${MAX_DEPTH}`,
		});
	let complexity = null;
	if (maxComplexity > 0) {
		complexity = queryComplexity(schema, document, variables, operationName);
		if (complexity > maxComplexity)
			errors.push(complexityError(complexity, maxComplexity).errors[0]);
	}
	return { complexity, errors: errors.length ? errors : null };
}

module.exports = {
	queryComplexity,
	queryDepth,
	analysisErrors,
	complexityError,
	DEFAULT_MAX_COMPLEXITY,
	MAX_DEPTH,
};
