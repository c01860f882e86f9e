import { passwordProblem } from "@briefings/auth";
import { describe, expect, it } from "vitest";
import {
  changePasswordSchema,
  DELETE_CONFIRMATION,
  deleteAccountSchema,
  isDeleteConfirmation,
  newPasswordSchema,
  signUpSchema,
} from "./schemas.ts";

/** What a schema makes of an input: the value, or the messages. */
function outcome(schema: { safeParse(value: unknown): unknown }, value: unknown) {
  const result = schema.safeParse(value) as
    | { success: true; data: unknown }
    | { success: false; error: { issues: { message: string }[] } };
  return result.success
    ? { value: result.data }
    : { errors: result.error.issues.map((issue) => issue.message) };
}

describe("newPasswordSchema", () => {
  it("counts characters, not UTF-16 units, as the server's policy does", async () => {
    const eleven = "🦊".repeat(11); // 22 UTF-16 units
    expect(outcome(newPasswordSchema, eleven)).toEqual({
      errors: ["Use at least 12 characters (this one has 11)"],
    });
    expect(await passwordProblem(eleven)).toBe("Use at least 12 characters (this one has 11)");
    expect(outcome(newPasswordSchema, "🦊".repeat(12))).toEqual({ value: "🦊".repeat(12) });
  });

  it("leaves common passwords to the server", () => {
    expect(outcome(newPasswordSchema, "password1234")).toEqual({ value: "password1234" });
  });

  it("says which field is at fault in the change-password form", () => {
    const result = changePasswordSchema.safeParse({ currentPassword: "", newPassword: "short" });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual([
      "currentPassword",
      "newPassword",
    ]);
  });
});

describe("signUpSchema", () => {
  it("normalises the address", () => {
    expect(
      signUpSchema.parse({ email: " New@Example.TEST ", password: "a long enough passphrase" }),
    ).toEqual({ email: "new@example.test", password: "a long enough passphrase" });
  });
});

describe("the deletion confirmation", () => {
  it.each([DELETE_CONFIRMATION, "Delete my account", "  DELETE   MY account "])(
    "accepts %j",
    (typed) => {
      expect(isDeleteConfirmation(typed)).toBe(true);
    },
  );

  it.each(["", "delete", "delete my acount", "don't delete my account"])("refuses %j", (typed) => {
    expect(isDeleteConfirmation(typed)).toBe(false);
  });

  it("is a field error of its own", () => {
    const result = deleteAccountSchema.safeParse({ password: "x", confirmation: "yes" });
    expect(result.error?.issues).toMatchObject([
      { path: ["confirmation"], message: `Type "${DELETE_CONFIRMATION}" to confirm` },
    ]);
  });
});
