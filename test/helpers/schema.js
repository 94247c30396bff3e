'use strict';
const { existsSync, readFileSync } = require('fs');
const { resolve } = require('path');
const { buildSchema } = require('graphql');

/** The real upstream schemas live beside the repo (../shared), never inside it. */
const SCHEMA_DIR = resolve(__dirname, '../../../shared/ds-api');
/** Upstream `main` of 2026-03-31 (SOURCE.md). */
const REAL_SCHEMA_PATH = resolve(SCHEMA_DIR, 'schema.graphql');
/** A newer upstream schema from a code index, after May 2026 (CHANGES-13a480b5.md). */
const NEWER_SCHEMA_PATH = resolve(SCHEMA_DIR, 'schema-13a480b5.graphql');

const cache = new Map();

/**
 * A real schema, or undefined when it is absent outside CI (the caller skips loudly). With
 * CI=true a missing schema is a failure: conformance must never pass by skipping.
 */
function load(path) {
	if (cache.has(path)) return cache.get(path);
	if (!existsSync(path)) {
		if (process.env.CI === 'true') {
			throw new Error(`The real schema is missing at ${path} (required when CI=true).`);
		}
		console.warn(`\n\n*** SKIPPING schema checks: ${path} not found. Put ../shared beside the repo. ***\n\n`);
		return undefined;
	}
	const schema = buildSchema(readFileSync(path, 'utf8'));
	cache.set(path, schema);
	return schema;
}

/** The 2026-03-31 schema (the sandbox SDL's baseline). */
function loadRealSchema() {
	return load(REAL_SCHEMA_PATH);
}

/** Both upstream schemas, `[name, schema]`: every document the package sends must validate against each. */
function loadRealSchemas() {
	return [REAL_SCHEMA_PATH, NEWER_SCHEMA_PATH]
		.map((path) => [path.slice(SCHEMA_DIR.length + 1), load(path)])
		.filter(([, schema]) => schema);
}

module.exports = { REAL_SCHEMA_PATH, NEWER_SCHEMA_PATH, loadRealSchema, loadRealSchemas };
