'use strict';
/**
 * Every GraphQL document the package sends must validate against the sandbox schema too,
 * otherwise integration tests would fail on the sandbox, not on the package.
 */
const { parse, validate } = require('graphql');
const { allDocuments } = require('../helpers/documents');
const { getSchema } = require('../../sandbox/lib/schema');

it('validates every package document against the sandbox SDL', () => {
	const schema = getSchema({});
	// Switches only add selections: the longest variant of each operation covers all the others.
	const longest = new Map();
	for (const document of allDocuments()) {
		const current = longest.get(document.operationName);
		if (!current || document.query.length > current.query.length)
			longest.set(document.operationName, document);
	}
	const failures = [];
	for (const document of longest.values()) {
		for (const error of validate(schema, parse(document.query)))
			failures.push(`${document.operationName}: ${error.message}`);
	}
	expect(longest.size).toBeGreaterThan(10);
	expect([...failures]).toEqual([]);
});
