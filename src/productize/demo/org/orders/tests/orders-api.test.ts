import { describe, expect, it } from "vitest";
import { app } from "../src/app";

describe("GET /orders/{id}", () => {
  it("returns 404 for an unknown order", async () => {
    const response = await app.request("/orders/does-not-exist");
    expect(response.status).toBe(404);
  });
});
