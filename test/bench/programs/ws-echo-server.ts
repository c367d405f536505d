/** The WebSocket echo upstream (`ws`), in its own process. Prints {"port":N} once listening. */
import { startWsEcho } from '../../helpers/upstreams.js';

const echo = await startWsEcho();
echo.server.on('connection', (ws) => ws.on('error', () => ws.terminate()));
console.log(JSON.stringify({ port: echo.port }));
