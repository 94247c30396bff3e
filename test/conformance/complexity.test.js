'use strict';
/**
 * Today's platform refuses a query whose complexity exceeds 60 000 (PR #13549, graphql-ruby's
 * max_complexity). Every document the package can send, for every combination of its switches, at
 * the largest page the nodes ask (100: `first` counts as sent), with every @include on, must stay
 * under it, against both upstream schemas and in both of graphql-ruby's cost modes; and no deeper
 * than max_depth 15.
 */
const { parse, getNamedType, typeFromAST } = require('graphql');

const { allDocuments } = require('../helpers/documents');
const { loadRealSchemas } = require('../helpers/schema');
const { queryComplexity, queryDepth, DEFAULT_MAX_COMPLEXITY, MAX_DEPTH } = require('../../sandbox/lib/complexity');
const { PAGE_SIZE } = require('../../nodes/DemarcheNumerique/graphql/queries');

const schemas = loadRealSchemas();
const maybe = schemas.length ? describe : describe.skip;

/** The heaviest variables a document can be sent with: page sizes at their largest, every switch on. */
function heaviestVariables(schema, operation) {
	const variables = {};
	for (const definition of operation.variableDefinitions || []) {
		const name = definition.variable.name.value;
		const type = getNamedType(typeFromAST(schema, definition.type));
		if (type.name === 'Boolean') variables[name] = true;
		else if (type.name === 'Int') variables[name] = /(first|last)$/i.test(name) ? PAGE_SIZE : 1;
		else if (definition.type.kind === 'NonNullType') variables[name] = type.name === 'ID' ? 'RG9zc2llci0x' : 'x';
	}
	return variables;
}

maybe('complexity of every document under the platform’s cap (60 000), depth at most 15', () => {
	const documents = allDocuments();

	it.each(schemas.map(([name]) => name))('%s: every document, both cost modes, at most 60 000', (name) => {
		const schema = schemas.find(([n]) => n === name)[1];
		const seen = new Set();
		const over = [];
		const tooDeep = [];
		let largest = { complexity: 0 };
		for (const document of documents) {
			if (seen.has(document.query)) continue;
			seen.add(document.query);
			const ast = parse(document.query);
			const operation = ast.definitions.find((d) => d.kind === 'OperationDefinition');
			const variables = heaviestVariables(schema, operation);
			// max_depth 15 too (introspection fields count).
			const depth = queryDepth(ast, variables, document.operationName);
			if (depth > MAX_DEPTH) tooDeep.push(`${document.operationName}: depth ${depth}`);
			for (const mode of ['future', 'legacy']) {
				const complexity = queryComplexity(schema, ast, variables, document.operationName, { mode });
				if (complexity > largest.complexity) largest = { complexity, operationName: document.operationName, mode, parts: document.query.length };
				if (complexity > DEFAULT_MAX_COMPLEXITY) over.push(`${document.operationName} (${mode}): ${complexity}`);
			}
		}
		console.log(`${name}: ${seen.size} documents; the largest complexity is ${largest.complexity} (${largest.operationName}, ${largest.mode} mode), cap ${DEFAULT_MAX_COMPLEXITY}`);
		expect(over.slice(0, 10)).toEqual([]);
		expect(tooDeep.slice(0, 10)).toEqual([]);
		// A figure far below the cap would mean the computation lost the page multiplication.
		expect(largest.complexity).toBeGreaterThan(20000);
	});

	it('a full page of Get Many with every part costs what the platform’s own full page does (about 26 000 here, 37 600 for its stored query)', () => {
		const [, schema] = schemas[0];
		const { dossiersDocument } = require('../../nodes/DemarcheNumerique/graphql/queries');
		const { ALL_DOSSIER_PARTS } = require('../helpers/documents');
		const document = dossiersDocument('demarche', ALL_DOSSIER_PARTS);
		const at = (first) => queryComplexity(schema, parse(document.query), { demarche: 1, first }, document.operationName);
		// Linear in the page size: one dossier's cost times the page, plus the page's frame.
		const perDossier = at(2) - at(1);
		expect(at(100)).toBe(at(1) + 99 * perDossier);
		expect(perDossier).toBeGreaterThan(150);
		expect(at(100)).toBeLessThan(DEFAULT_MAX_COMPLEXITY);
	});
});
