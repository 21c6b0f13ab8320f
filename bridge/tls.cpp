// Making the bridge's certificates with OpenSSL: an EC P-256 CA (10 years) and a server
// certificate per run (30 days) with the scenario's names as subjectAltName.
#include "bridge/tls.hpp"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace mailsim::bridge {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;
using Bio = std::unique_ptr<BIO, Free>;

std::string openssl_error(const std::string& what) {
  const unsigned long e = ERR_get_error();
  char buf[256] = {};
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  return what + (e ? std::string(": ") + buf : std::string());
}

Key new_key() { return Key(EVP_EC_gen("P-256")); }

bool add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// A certificate for `key`, named `cn`, valid from an hour ago for `days`.
Cert new_cert(EVP_PKEY* key, const std::string& cn, long days) {
  Cert c(X509_new());
  if (!c) return nullptr;
  X509_set_version(c.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return nullptr;
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c.get()), days * 24 * 3600);
  X509_set_pubkey(c.get(), key);
  X509_NAME* name = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("mailsim"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return c;
}

std::string to_pem(X509* c) {
  Bio b(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(b.get(), c);
  char* data = nullptr;
  const long n = BIO_get_mem_data(b.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string to_pem(EVP_PKEY* k) {
  Bio b(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(b.get(), k, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(b.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::optional<std::string> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes through a temporary name and a rename, so a half-written CA is never used.
bool write_file(const std::filesystem::path& p, const std::string& data, mode_t mode) {
  const auto tmp = p.string() + ".part";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    ::chmod(tmp.c_str(), mode);
    out << data;
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, p, ec);
  return !ec;
}

bool valid_dns_name(const std::string& n) {
  if (n.empty() || n.size() > 253) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  return n.front() != '.' && n.front() != '-';
}

}  // namespace

std::filesystem::path default_ca_dir() {
  if (const char* d = std::getenv("MAILSIM_CA_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::filesystem::path(x) / "mailsim" / "ca";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : ".") / ".local" / "share" / "mailsim" / "ca";
}

std::optional<TlsIdentity> make_tls_identity(const std::vector<std::string>& names, const std::filesystem::path& ca_dir,
                                             bool self_signed, std::string& why) {
  TlsIdentity out;
  Key ca_key;
  Cert ca_cert;
  if (!self_signed) {
    const auto cert_path = ca_dir / "ca.pem", key_path = ca_dir / "ca.key";
    auto cert_text = read_file(cert_path);
    auto key_text = read_file(key_path);
    if (cert_text && key_text) {
      Bio cb(BIO_new_mem_buf(cert_text->data(), static_cast<int>(cert_text->size())));
      Bio kb(BIO_new_mem_buf(key_text->data(), static_cast<int>(key_text->size())));
      ca_cert.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
      ca_key.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
      if (!ca_cert || !ca_key || X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) {
        why = openssl_error("the local CA in " + ca_dir.string() + " cannot be read (remove the folder to make a new one)");
        return std::nullopt;
      }
    } else {
      std::error_code ec;
      std::filesystem::create_directories(ca_dir, ec);
      if (ec) {
        why = "cannot create " + ca_dir.string() + ": " + ec.message();
        return std::nullopt;
      }
      ::chmod(ca_dir.c_str(), 0700);
      ca_key = new_key();
      if (!ca_key) {
        why = openssl_error("cannot make a key");
        return std::nullopt;
      }
      ca_cert = new_cert(ca_key.get(), "mailsim local CA (bridge only, never trust it elsewhere)", 3650);
      if (ca_cert) X509_set_issuer_name(ca_cert.get(), X509_get_subject_name(ca_cert.get()));
      if (!ca_cert || !add_ext(ca_cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
          !add_ext(ca_cert.get(), ca_cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
          !add_ext(ca_cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash") ||
          X509_sign(ca_cert.get(), ca_key.get(), EVP_sha256()) == 0) {
        why = openssl_error("cannot make the local CA");
        return std::nullopt;
      }
      // The key first: a CA file without its key would be unusable.
      if (!write_file(key_path, to_pem(ca_key.get()), 0600) || !write_file(cert_path, to_pem(ca_cert.get()), 0644)) {
        why = "cannot write the local CA to " + ca_dir.string();
        return std::nullopt;
      }
      out.created_ca = true;
    }
    out.ca_file = cert_path;
  }

  std::set<std::string> dns{"localhost"};
  for (const auto& n : names)
    if (valid_dns_name(n)) dns.insert(n);
  std::string san = "IP:127.0.0.1";
  for (const auto& n : dns) san += ",DNS:" + n;
  std::string cn = "localhost";
  for (const auto& n : names)
    if (valid_dns_name(n) && n.size() <= 64) {
      cn = n;
      break;
    }
  Key key = new_key();
  Cert cert = key ? new_cert(key.get(), cn, 30) : nullptr;
  if (!cert) {
    why = openssl_error("cannot make the server certificate");
    return std::nullopt;
  }
  X509* issuer = self_signed ? cert.get() : ca_cert.get();
  EVP_PKEY* signer = self_signed ? key.get() : ca_key.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
  if (!add_ext(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE") ||
      !add_ext(cert.get(), issuer, NID_key_usage, "critical,digitalSignature") ||
      !add_ext(cert.get(), issuer, NID_ext_key_usage, "serverAuth") ||
      !add_ext(cert.get(), issuer, NID_subject_alt_name, san) ||
      (!self_signed && !add_ext(cert.get(), issuer, NID_authority_key_identifier, "keyid:always")) ||
      X509_sign(cert.get(), signer, EVP_sha256()) == 0) {
    why = openssl_error("cannot sign the server certificate");
    return std::nullopt;
  }
  out.cert_chain_pem = to_pem(cert.get());
  if (!self_signed) out.cert_chain_pem += to_pem(ca_cert.get());
  out.key_pem = to_pem(key.get());
  return out;
}

}  // namespace mailsim::bridge
