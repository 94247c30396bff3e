'use strict';
const { existsSync, readFileSync } = require('fs');
const { resolve } = require('path');
const { buildSchema } = require('graphql');

/** The real upstream schema lives beside the repo (../shared), never inside it. */
const REAL_SCHEMA_PATH = resolve(__dirname, '../../../shared/ds-api/schema.graphql');

let cached;

/**
 * The real schema, or undefined when it is absent outside CI (the caller skips loudly). With
 * CI=true a missing schema is a failure: conformance must never pass by skipping.
 */
function loadRealSchema() {
	if (cached) return cached;
	if (!existsSync(REAL_SCHEMA_PATH)) {
		if (process.env.CI === 'true') {
			throw new Error(`The real schema is missing at ${REAL_SCHEMA_PATH} (required when CI=true).`);
		}
		console.warn(
			`\n\n*** SKIPPING schema checks: ${REAL_SCHEMA_PATH} not found. Put ../shared beside the repo. ***\n\n`,
		);
		return undefined;
	}
	cached = buildSchema(readFileSync(REAL_SCHEMA_PATH, 'utf8'));
	return cached;
}

module.exports = { REAL_SCHEMA_PATH, loadRealSchema };
