import { adminProcedure } from "@/server/api/trpc";
import { listUsers } from "@/server/services/users/user-service";
import { listUsersInput, listUsersOutput } from "./list-users.schema";

export const listUsersProcedure = adminProcedure
  .input(listUsersInput)
  .output(listUsersOutput)
  .query(({ input }) => listUsers(input));
