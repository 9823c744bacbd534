import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// Served by the Litestar app at /app (files from dist/, the page itself for every other path).
export default defineConfig({
  base: "/app/",
  plugins: [vue()],
  build: { outDir: "dist", emptyOutDir: true },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
});
