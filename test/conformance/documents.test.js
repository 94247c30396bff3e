'use strict';
const { parse, validate } = require('graphql');

const { allDocuments } = require('../helpers/documents');
const { loadRealSchema } = require('../helpers/schema');

const schema = loadRealSchema();
const maybe = schema ? describe : describe.skip;

maybe('every GraphQL document the package sends validates against the real schema', () => {
	const documents = allDocuments();

	it('covers many documents (all switch combinations)', () => {
		expect(documents.length).toBeGreaterThan(500);
	});

	it('has no validation error in any document', () => {
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
				failures.push(`${document.operationName}: ${errors.map((e) => e.message).join('; ')}`);
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
