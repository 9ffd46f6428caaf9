// The generated client against a live API: register, log in, read the profile, create a room and
// post a message. tests/test_typescript_client.py compiles this with tsc and runs it with Node:
//
//   node smoke.js http://127.0.0.1:8000 some-username
//
// Prints one JSON line (the ids it created) and exits 0, or says what failed and exits 1.
import { client } from './src/client.gen.js';
import {
  authLogin,
  authProfileGet,
  authRegister,
  chatRoomsCreate,
  chatRoomsPostMessage,
} from './src/index.js';

async function main(baseUrl: string, username: string): Promise<void> {
  let accessToken: string | undefined;
  client.setConfig({ baseUrl, auth: () => accessToken });
  // Each call throws on an error status (the problem+json body is the error), so `data` is set.
  const throwOnError = true;

  const email = `${username}@example.com`;
  const password = `Smoke-${crypto.randomUUID()}`;
  const { data: registered } = await authRegister({ body: { email, username, password }, throwOnError });

  // Tokens, or for an account with two-factor on a second step (a new account has it off).
  const { data: signedIn } = await authLogin({ body: { username, password }, throwOnError });
  if (!('access_token' in signedIn)) {
    throw new Error(`the login asks for a second factor: ${JSON.stringify(signedIn)}`);
  }
  accessToken = signedIn.access_token;

  const { data: profile } = await authProfileGet({ throwOnError });
  if (profile.id !== registered.id || profile.email !== email) {
    throw new Error(`the profile is not the registered account: ${JSON.stringify(profile)}`);
  }

  const { data: room } = await chatRoomsCreate({ body: { name: `Smoke ${username}` }, throwOnError });
  const { data: message } = await chatRoomsPostMessage({
    path: { room_id: room.id },
    body: { body: 'Hello from the TypeScript client' },
    throwOnError,
  });
  if (message.room_id !== room.id || message.author_id !== profile.id) {
    throw new Error(`unexpected message: ${JSON.stringify(message)}`);
  }

  console.log(JSON.stringify({ user_id: profile.id, room_id: room.id, message_id: message.id }));
}

const [baseUrl, username] = process.argv.slice(2);
if (!baseUrl || !username) {
  console.error('usage: node smoke.js BASE_URL USERNAME');
  process.exit(2);
}
main(baseUrl, username).catch((error: unknown) => {
  console.error('smoke test failed:', error instanceof Error ? error.message : JSON.stringify(error));
  process.exit(1);
});
