/** Jest runs every suite under test/: unit, conformance, sandbox and engine integration. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', isolatedModules: true }],
	},
	testTimeout: 60000,
	maxWorkers: 2,
};
