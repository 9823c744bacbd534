/// <reference types="node" />
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { defineConfig, type Plugin } from "vite";
import vue from "@vitejs/plugin-vue";

// Swagger UI's files for the API docs page (/api/v1/docs), served from dist/docs so that it needs no CDN.
const SWAGGER_UI_FILES = [
  "swagger-ui-bundle.js",
  "swagger-ui-standalone-preset.js",
  "swagger-ui.css",
  "favicon-32x32.png",
];

function swaggerUi(): Plugin {
  const source = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  return {
    name: "swagger-ui-dist",
    apply: "build",
    writeBundle(options) {
      const target = join(options.dir ?? "dist", "docs");
      mkdirSync(target, { recursive: true });
      for (const file of SWAGGER_UI_FILES) copyFileSync(join(source, file), join(target, file));
    },
  };
}

// Served by the Litestar app at /app (files from dist/, the page itself for every other path).
export default defineConfig({
  base: "/app/",
  plugins: [vue(), swaggerUi()],
  build: { outDir: "dist", emptyOutDir: true },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
});
