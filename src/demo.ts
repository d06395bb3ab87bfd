/**
 * `npm run demo`: start the embedded sandbox on a free loopback port, write a throwaway config
 * with one profile per provider pointing at it, send one message of each kind each provider
 * documents through the real CLI (bin/interflow.js), print the results table, stop the sandbox.
 * No account needed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROVIDER_PREFIXES, startSandbox } from './sandbox/server.js';
import { renderTable } from './output/format.js';
import { shellQuote } from './output/shell.js';

const bin = fileURLToPath(new URL('../bin/interflow.js', import.meta.url));
const to = '+55 11 99999-9999';

interface Row {
  provider: string;
  what: string;
  ok: boolean;
  id: string;
  status: string;
  detail: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

async function main(): Promise<void> {
  const sandbox = await startSandbox({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'interflow-demo-'));
  try {
    const config = join(dir, '.interflowrc.json');
    writeFileSync(
      config,
      JSON.stringify(
        {
          defaultProfile: 'interflow',
          profiles: {
            interflow: {
              provider: 'interflow',
              baseUrl: `${sandbox.url}${PROVIDER_PREFIXES.interflow}`,
              apiKey: '${DEMO_KEY}',
              channelId: '550e8400-e29b-41d4-a716-446655440000',
            },
            interacto: {
              provider: 'interacto',
              baseUrl: `${sandbox.url}${PROVIDER_PREFIXES.interacto}`,
              apiKey: '${DEMO_KEY}',
              instanceId: '66a09db606fd14660c8fc1d0',
            },
            turn: {
              provider: 'turn',
              baseUrl: `${sandbox.url}${PROVIDER_PREFIXES.turn}`,
              apiKey: '${DEMO_KEY}',
              namespace: 'template-namespace',
            },
            socialminer: { provider: 'socialminer', baseUrl: `${sandbox.url}${PROVIDER_PREFIXES.socialminer}`, apiKey: '${DEMO_KEY}' },
          },
        },
        null,
        2,
      ),
      { mode: 0o600 },
    );
    const list = join(dir, 'horarios.json');
    writeFileSync(
      list,
      JSON.stringify({
        button: 'Ver horários',
        sections: [
          {
            title: 'Amanhã',
            rows: [
              { id: 'manha', title: 'Manhã', description: '9h às 12h' },
              { id: 'tarde', title: 'Tarde' },
            ],
          },
        ],
      }),
    );
    const vcard = join(dir, 'joao.vcf');
    writeFileSync(
      vcard,
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:João Silva\r\nN:Silva;João;;;\r\nTEL;TYPE=CELL:+55 11 98888-7777\r\nEMAIL;TYPE=WORK:joao@exemplo.com.br\r\nORG:Padaria São Jorge\r\nEND:VCARD\r\n',
    );

    const sends: [string, string, string[]][] = [
      ['interflow', 'text', ['send', 'text', to, 'Olá, João! Seu pedido saiu para entrega 🎉']],
      [
        'interflow',
        'image',
        ['send', 'media', to, '--kind', 'image', '--url', 'https://exemplo.com/imagem.jpg', '--caption', 'Confira nossa nova coleção!'],
      ],
      [
        'interflow',
        'video',
        ['send', 'media', to, '--kind', 'video', '--url', 'https://exemplo.com/video.mp4', '--caption', 'Bastidores 🎬'],
      ],
      ['interflow', 'audio', ['send', 'media', to, '--kind', 'audio', '--url', 'https://exemplo.com/audio.ogg']],
      [
        'interflow',
        'document',
        ['send', 'media', to, '--kind', 'document', '--url', 'https://exemplo.com/contrato.pdf', '--filename', 'contrato.pdf'],
      ],
      [
        'interflow',
        'location',
        [
          'send',
          'location',
          to,
          '--latitude',
          '-23.5505',
          '--longitude',
          '-46.6333',
          '--name',
          'Escritório Central',
          '--address',
          'Av. Paulista, 1000 - São Paulo',
        ],
      ],
      ['interflow', 'template', ['send', 'template', to, '--name', 'order_confirmation', '--param', 'João', '--param', '12345']],
      [
        'interacto',
        'contact',
        [
          'send',
          'contact',
          to,
          '--name',
          'João Silva',
          '--phone',
          '5511999999999',
          '--delay',
          '2',
          '--typing',
          '8',
          '--tag',
          'lead',
          '--metadata',
          'leadId=1234533',
        ],
      ],
      ['turn', 'text', ['send', 'text', to, 'Olá! Veja https://exemplo.com', '--preview-url']],
      [
        'turn',
        'image',
        ['send', 'media', to, '--kind', 'image', '--url', 'https://exemplo.com/promo.jpg', '--caption', 'Promoção de São João'],
      ],
      ['turn', 'video', ['send', 'media', to, '--kind', 'video', '--id', '515056594160172', '--caption', 'Como usar']],
      ['turn', 'audio', ['send', 'media', to, '--kind', 'audio', '--url', 'https://exemplo.com/audio.ogg']],
      [
        'turn',
        'document',
        ['send', 'media', to, '--kind', 'document', '--url', 'https://exemplo.com/boleto.pdf', '--filename', 'boleto.pdf'],
      ],
      ['turn', 'sticker', ['send', 'media', to, '--kind', 'sticker', '--id', '515056594160172']],
      [
        'turn',
        'template',
        [
          'send',
          'template',
          to,
          '--name',
          'order_update',
          '--language',
          'pt_BR',
          '--header-image',
          'https://exemplo.com/pedido.jpg',
          '--param',
          'João',
          '--quick-reply',
          '0=confirmar',
        ],
      ],
      [
        'turn',
        'buttons',
        ['send', 'interactive', to, '--body', 'Confirma a entrega amanhã?', '--button', 'sim=Sim', '--button', 'nao=Não'],
      ],
      ['turn', 'list', ['send', 'interactive', to, '--body', 'Escolha um horário', '--list', list]],
      ['turn', 'location request', ['send', 'interactive', to, '--body', 'Por favor, informe sua localização', '--location-request']],
      [
        'turn',
        'hsm',
        [
          'send',
          'template',
          to,
          '--hsm',
          '--name',
          'purchase_with_credit_card',
          '--language',
          'en_US',
          '--param',
          '$10',
          '--param',
          '1234',
        ],
      ],
      ['socialminer', 'text', ['send', 'text', to, 'Chamando 📞']],
      ['socialminer', 'image', ['send', 'media', to, '--kind', 'image', '--id', '515056594160172', '--caption', 'Oferta de São João']],
      ['socialminer', 'video', ['send', 'media', to, '--kind', 'video', '--url', 'https://exemplo.com/video.mp4']],
      ['socialminer', 'audio', ['send', 'media', to, '--kind', 'audio', '--id', '515056594160172']],
      ['socialminer', 'sticker', ['send', 'media', to, '--kind', 'sticker', '--id', '515056594160172']],
      [
        'socialminer',
        'document',
        ['send', 'media', to, '--kind', 'document', '--id', '515056594160172', '--filename', 'boleto.pdf', '--caption', 'Seu boleto'],
      ],
      [
        'socialminer',
        'location',
        ['send', 'location', to, '--latitude', '-22.9068', '--longitude', '-43.1729', '--name', 'Cristo Redentor'],
      ],
      ['socialminer', 'contact', ['send', 'contact', to, '--vcard', vcard]],
      [
        'socialminer',
        'template',
        ['send', 'template', to, '--name', 'beta_abandoncart_link_v1_1', '--param', 'Maria', '--button-url', '0=carrinho/987'],
      ],
      [
        'socialminer',
        'buttons',
        [
          'send',
          'interactive',
          to,
          '--body',
          'Olá, o que você gostaria de fazer?',
          '--button',
          'beneficio=Obter benefício',
          '--button',
          'loja=Falar com a loja',
        ],
      ],
      ['socialminer', 'list', ['send', 'interactive', to, '--body', 'Escolha um horário', '--list', list]],
    ];

    const env: NodeJS.ProcessEnv = { ...process.env, DEMO_KEY: 'demo_key_not_secret', NO_COLOR: '1' };
    delete env.INTERFLOW_PROFILE;
    delete env.INTERFLOW_API_KEY;
    process.stderr.write(`sandbox listening on ${sandbox.url}; sending ${sends.length} messages through the CLI…\n`);
    const rows: Row[] = [];
    for (const [profile, what, args] of sends) {
      process.stderr.write(`$ interflow ${args.map(shellQuote).join(' ')} --profile ${profile}\n`);
      const res = await run([...args, '--profile', profile, '--config', config, '--json'], env);
      let parsed: { ok?: boolean; id?: string; status?: string; error?: { message?: string } } = {};
      try {
        parsed = JSON.parse(res.stdout);
      } catch {
        parsed = {};
      }
      rows.push({
        provider: profile,
        what,
        ok: res.code === 0 && parsed.ok === true,
        id: parsed.id ?? '',
        status: parsed.status ?? '',
        detail: res.code === 0 ? '' : (parsed.error?.message ?? res.stderr.trim().split('\n')[0] ?? `exit ${res.code}`),
      });
    }
    process.stdout.write(
      renderTable(rows, [
        { header: 'provider', value: (r) => r.provider },
        { header: 'message', value: (r) => r.what },
        { header: 'result', value: (r) => (r.ok ? 'ok' : 'FAILED') },
        { header: 'id', value: (r) => r.id },
        { header: 'status', value: (r) => r.status || r.detail },
      ]),
    );
    const failed = rows.filter((r) => !r.ok).length;
    process.stderr.write(
      `${rows.length - failed} of ${rows.length} sent; the sandbox received ${sandbox.received.length} requests.\n` +
        'Try it yourself: `npx interflow sandbox` in one terminal, then point a profile at it (see .interflowrc.example).\n',
    );
    process.exitCode = failed ? 1 : 0;
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
