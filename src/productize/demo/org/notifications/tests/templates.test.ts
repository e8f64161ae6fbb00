import { describe, expect, it } from "vitest";
import { render } from "../src/render";

describe("templates", () => {
  it("renders the box-on-its-way SMS within one GSM-7 segment", () => {
    const text = render("box-on-its-way", "sms", "en", { slot: "18:00-20:00" });
    expect(text.length).toBeLessThanOrEqual(160);
  });
});
