'use strict';
const { parse, validate } = require('graphql');

const { allDocuments } = require('../helpers/documents');
const { loadRealSchemas } = require('../helpers/schema');

const schemas = loadRealSchemas();
const maybe = schemas.length ? describe : describe.skip;

maybe('every GraphQL document the package sends validates against both real schemas', () => {
	const documents = allDocuments();

	it('covers many documents (all switch combinations)', () => {
		expect(documents.length).toBeGreaterThan(500);
	});

	it('checks both upstream schemas: 2026-03-31 and the newer 13a480b5', () => {
		expect(schemas.map(([name]) => name)).toEqual(['schema.graphql', 'schema-13a480b5.graphql']);
	});

	it.each(schemas.map(([name]) => name))('has no validation error in any document against %s', (name) => {
		const schema = schemas.find(([n]) => n === name)[1];
		const failures = [];
		const seen = new Set();
		for (const document of documents) {
			if (seen.has(document.query)) continue;
			seen.add(document.query);
			let errors;
			try {
				errors = validate(schema, parse(document.query));
			} catch (error) {
				errors = [{ message: `parse: ${error.message}` }];
			}
			if (errors.length) {
				failures.push(`${name} ${document.operationName}: ${errors.map((e) => e.message).join('; ')}`);
			}
		}
		expect(failures.slice(0, 10)).toEqual([]);
	});

	it('names each operation after the operationName it is sent with', () => {
		for (const document of documents) {
			const names = parse(document.query)
				.definitions.filter((d) => d.kind === 'OperationDefinition')
				.map((d) => d.name && d.name.value);
			expect(names).toEqual([document.operationName]);
		}
	});
});
