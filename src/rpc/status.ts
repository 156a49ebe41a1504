// The one table of statuses seen in fault PDUs: nca_s_* (C706 App. E) and the Win32 RPC_S_* / RPC_X_*
// values that MS-RPCE §3.1.1.5.5 maps them to (MS-ERREF §2.2).

export const STATUS = {
  ERROR_ACCESS_DENIED: 0x00000005,
  ERROR_INVALID_HANDLE: 0x00000006,
  ERROR_OUTOFMEMORY: 0x0000000e,
  ERROR_INVALID_PARAMETER: 0x00000057,
  RPC_S_INVALID_BINDING: 0x000006a6,
  RPC_S_PROTSEQ_NOT_SUPPORTED: 0x000006a7,
  RPC_S_UNKNOWN_IF: 0x000006b5,
  RPC_S_SERVER_TOO_BUSY: 0x000006bb,
  RPC_S_CALL_FAILED: 0x000006be,
  RPC_S_CALL_FAILED_DNE: 0x000006bf,
  RPC_S_PROTOCOL_ERROR: 0x000006c0,
  RPC_S_UNSUPPORTED_TRANS_SYN: 0x000006c2,
  RPC_S_PROCNUM_OUT_OF_RANGE: 0x000006d1,
  RPC_S_UNKNOWN_AUTHN_SERVICE: 0x000006d3,
  RPC_S_CALL_CANCELLED: 0x0000071a,
  RPC_S_SEC_PKG_ERROR: 0x00000721,
  RPC_X_BAD_STUB_DATA: 0x000006f7,
  RPC_X_SS_CONTEXT_MISMATCH: 0x000006f8,
  nca_s_comm_failure: 0x1c010001,
  nca_s_op_rng_error: 0x1c010002,
  nca_s_unk_if: 0x1c010003,
  nca_s_wrong_boot_time: 0x1c010006,
  nca_s_you_crashed: 0x1c010009,
  nca_s_proto_error: 0x1c01000b,
  nca_s_out_args_too_big: 0x1c010013,
  nca_s_server_too_busy: 0x1c010014,
  nca_s_fault_string_too_long: 0x1c010015,
  nca_s_unsupported_type: 0x1c010017,
  nca_s_fault_int_div_by_zero: 0x1c000001,
  nca_s_fault_addr_error: 0x1c000002,
  nca_s_fault_fp_div_zero: 0x1c000003,
  nca_s_fault_fp_underflow: 0x1c000004,
  nca_s_fault_fp_overflow: 0x1c000005,
  nca_s_fault_invalid_tag: 0x1c000006,
  nca_s_fault_invalid_bound: 0x1c000007,
  nca_s_rpc_version_mismatch: 0x1c000008,
  nca_s_unspec_reject: 0x1c000009,
  nca_s_bad_actid: 0x1c00000a,
  nca_s_who_are_you_failed: 0x1c00000b,
  nca_s_manager_not_entered: 0x1c00000c,
  nca_s_fault_cancel: 0x1c00000d,
  nca_s_fault_ill_inst: 0x1c00000e,
  nca_s_fault_fp_error: 0x1c00000f,
  nca_s_fault_int_overflow: 0x1c000010,
  nca_s_fault_unspec: 0x1c000012,
  nca_s_fault_remote_comm_failure: 0x1c000013,
  nca_s_fault_pipe_empty: 0x1c000014,
  nca_s_fault_pipe_closed: 0x1c000015,
  nca_s_fault_pipe_order: 0x1c000016,
  nca_s_fault_pipe_discipline: 0x1c000017,
  nca_s_fault_pipe_comm_error: 0x1c000018,
  nca_s_fault_pipe_memory: 0x1c000019,
  nca_s_fault_context_mismatch: 0x1c00001a,
  nca_s_fault_remote_no_memory: 0x1c00001b,
  nca_s_invalid_pres_context_id: 0x1c00001c,
  nca_s_unsupported_authn_level: 0x1c00001d,
  nca_s_invalid_checksum: 0x1c00001f,
  nca_s_invalid_crc: 0x1c000020,
  nca_s_fault_user_defined: 0x1c000021,
  nca_s_fault_tx_open_failed: 0x1c000022,
  nca_s_fault_codeset_conv_error: 0x1c000023,
  nca_s_fault_object_not_found: 0x1c000024,
  nca_s_fault_no_client_stub: 0x1c000025,
  /** Endpoint mapper statuses (C706 App. E; MS-RPCE §2.2.1.2). */
  EPT_S_CANT_PERFORM_OP: 0x16c9a0cd,
  EPT_S_NOT_REGISTERED: 0x16c9a0d6,
} as const;

export type StatusName = keyof typeof STATUS;

const NAMES = new Map<number, StatusName>();
for (const [name, value] of Object.entries(STATUS) as [StatusName, number][]) NAMES.set(value, name);

/** The symbolic name of a status, or its hex form when it is not in the table. */
export function statusName(status: number): string {
  return NAMES.get(status >>> 0) ?? `0x${(status >>> 0).toString(16).padStart(8, '0')}`;
}
