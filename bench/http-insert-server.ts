/**
 * The smallest HTTP service that does what an issuance minimally does on the wire: a bearer token
 * check, a JSON body read against a schema, one single-row INSERT through a pg pool, a JSON answer
 * (201). The benchmark measures it beside the service, as a second, HTTP-crossing baseline.
 * Environment: DATABASE_URL (with the bench schema in its options), PORT.
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 32 });
const app = Fastify({ logger: false });
app.post(
  '/insert',
  {
    schema: {
      body: {
        type: 'object',
        required: ['object', 'amount'],
        properties: { object: { type: 'string', maxLength: 1024 }, amount: { type: 'string' } },
      },
      response: {
        201: { type: 'object', properties: { id: { type: 'string' } } },
        401: { type: 'null' },
      },
    },
  },
  async (request, reply) => {
    if (request.headers.authorization !== 'Bearer bench') return reply.code(401).send();
    const body = request.body as { object: string };
    const { rows } = await pool.query<{ id: string }>(
      'INSERT INTO bench_baseline (payload, created_at) VALUES ($1, $2) RETURNING id',
      [body.object, new Date()],
    );
    return reply.code(201).send({ id: String(rows[0]?.id) });
  },
);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('ready\n');
process.on('SIGTERM', () => void app.close().then(() => pool.end()));
