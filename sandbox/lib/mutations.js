'use strict';
/**
 * Mutation resolvers: `{ [mutationName]: (args, ctx, info) => payload }`.
 * ctx: {store, files, uploads, token: {name, write, demarches}, sandbox}; the sandbox clock is store.clock.
 * A read-only token never reaches these (schema.js answers the platform's payload error first).
 * Part 1 implements createDirectUpload only; every other mutation answers "not implemented in sandbox"
 * until part 2 adds it here (state machine, annotations, labels, groupes, messages, webhooks).
 */
const mutationResolvers = {
	createDirectUpload: ({ input }, ctx) => ctx.uploads.create(input, ctx),
};

module.exports = { mutationResolvers };
