import { describe, expect, it } from "vitest";
import { boxTotal } from "../src/box";

describe("boxTotal", () => {
  it("adds the price of every item", () => {
    expect(boxTotal([{ price: 250 }, { price: 400 }])).toBe(650);
  });
});
