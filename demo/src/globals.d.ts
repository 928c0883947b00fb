/** The example pack the demo's Vite plugin built and signed (demo/pack-plugin.ts). */
declare const __DEMO_PACK__: {
  /** Its URL, relative to the page. */
  file: string;
  digest: string;
  signerId: string;
  /** The raw Ed25519 key (hex) the page trusts for `signerId`. */
  publicKey: string;
};
