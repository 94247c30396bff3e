/**
 * Tests are plain CommonJS JavaScript under test/ (n8n's strict lint config applies its n8n Cloud
 * runtime rules to every .ts file of the project, which test code cannot follow); they load the
 * TypeScript sources of the package through ts-jest.
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.js'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	moduleFileExtensions: ['ts', 'js', 'json'],
	testTimeout: 60000,
	maxWorkers: 2,
};
