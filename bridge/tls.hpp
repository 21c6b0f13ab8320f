// Certificates for the bridge's real TLS: a local CA kept in a per-user folder (made on first
// use) and a server certificate for the scenario's host names, signed by it for each run.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mailsim::bridge {

struct TlsIdentity {
  std::string cert_chain_pem;  // the server certificate (then the CA's, when there is one)
  std::string key_pem;         // the server certificate's private key
  std::filesystem::path ca_file;  // the CA certificate clients should trust (empty when self-signed)
  bool created_ca = false;        // the CA was made by this call (first use)
};

// The folder of the local CA: $MAILSIM_CA_DIR, else $XDG_DATA_HOME/mailsim/ca, else
// ~/.local/share/mailsim/ca.
std::filesystem::path default_ca_dir();

// A server certificate for `names` (DNS names; "localhost" and 127.0.0.1 are always added),
// signed by the CA in `ca_dir` (created, mode 0700, with its key 0600, when missing), or
// self-signed when `self_signed`. Nullopt with `why` on failure.
std::optional<TlsIdentity> make_tls_identity(const std::vector<std::string>& names, const std::filesystem::path& ca_dir,
                                             bool self_signed, std::string& why);

}  // namespace mailsim::bridge
