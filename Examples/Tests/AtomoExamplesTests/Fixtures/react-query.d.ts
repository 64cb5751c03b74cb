// A minimal declaration of the parts of @tanstack/react-query (v5) that `atomo codegen` output uses,
// so that the generated hooks type-check with `tsc` without installing the package.
declare module '@tanstack/react-query' {
  export type QueryKey = readonly unknown[];

  export interface UseQueryOptions<TData, TError> {
    queryKey: QueryKey;
    queryFn: () => Promise<TData>;
    enabled?: boolean;
  }

  export interface UseQueryResult<TData, TError> {
    data: TData | undefined;
    error: TError | null;
    isPending: boolean;
    isError: boolean;
    isSuccess: boolean;
    refetch(): Promise<unknown>;
  }

  export interface UseMutationOptions<TData, TError, TVariables> {
    mutationFn: (variables: TVariables) => Promise<TData>;
    onSuccess?: (data: TData, variables: TVariables) => unknown;
  }

  export interface UseMutationResult<TData, TError, TVariables> {
    data: TData | undefined;
    error: TError | null;
    isPending: boolean;
    mutate(variables: TVariables): void;
    mutateAsync(variables: TVariables): Promise<TData>;
  }

  export interface InvalidateQueryFilters {
    queryKey?: QueryKey;
  }

  export interface QueryClient {
    invalidateQueries(filters?: InvalidateQueryFilters): Promise<void>;
  }

  export function useQuery<TData, TError = Error>(options: UseQueryOptions<TData, TError>): UseQueryResult<TData, TError>;
  export function useMutation<TData, TError = Error, TVariables = void>(
    options: UseMutationOptions<TData, TError, TVariables>,
  ): UseMutationResult<TData, TError, TVariables>;
  export function useQueryClient(): QueryClient;
}
