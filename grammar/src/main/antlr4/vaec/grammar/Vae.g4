/*
 * The .vae language: a latent-variable model written the way the seeds write it.
 *
 *   data   x : real[784] in [0, 1]
 *   data   y : onehot[10] from labels
 *   latent z : real[20]
 *   network encoder = MLP(784 -> 400 -> 40, activation = relu)
 *   prior      z ~ Normal(0, 1)
 *   guide      { mu, log_var = split(encoder(x)); z ~ Normal(mu, exp(0.5 * log_var)) }
 *   likelihood x ~ Bernoulli(logits = decoder(z))
 *   guide semi_implicit(K = 20) { psi = mixer(concat(x, noise(3))); z ~ Normal(psi, 0.5) }
 *   train { dataset = mnist_digits; optimizer = Adam(lr = 1e-3); epochs = 10 }
 *
 * Statements end at a newline or a ';'. Comments are // to end of line or /* ... * /.
 * The grammar only says what is well formed; names, shapes and kinds are checked by the
 * compiler's later passes so that their messages can be specific.
 */
grammar Vae;

// Newlines end statements, except inside (...) and [...] where a long call may wrap.
@lexer::members { private int nesting = 0; }

program
    : sep* (declaration (sep+ declaration)*)? sep* EOF
    ;

declaration
    : 'model' name=ID                                                   # modelDecl
    | 'data' name=ID ':' typeSpec dataSource?                           # dataDecl
    | 'latent' name=ID ':' typeSpec                                     # latentDecl
    | 'network' name=ID '=' call                                        # networkDecl
    | section=('prior' | 'guide' | 'likelihood') modifier=call? body    # modelSection
    | 'train' '{' sep* (setting (sep+ setting)*)? sep* '}'              # trainDecl
    ;

// real[784], binary[784] in [0,1], real[20]
typeSpec
    : kind=ID LBRACK dims+=INT (',' dims+=INT)* RBRACK domain?
    ;

// Where a data variable's values come from: a part of a named dataset (from labels), columns of
// a file dataset (from columns[784:794]), or a file of its own (from "labels.npy").
dataSource
    : 'from' (file=STRING | part=ID (LBRACK slice RBRACK)?)
    ;

domain
    : 'in' LBRACK low=signedNumber ',' high=signedNumber RBRACK
    ;

body
    : statement
    | '{' sep* (statement (sep+ statement)*)? sep* '}'
    ;

statement
    : target=ID '~' distribution=expr estimator?                        # sampleStatement
    | targets+=ID (',' targets+=ID)* '=' value=expr                     # assignStatement
    ;

// z ~ Bernoulli(logits = l) using score_function(baseline = nvil), or just: using enumerate
estimator
    : 'using' (call | name=ID)
    ;

setting
    : key=ID '=' value=expr
    ;

expr
    : expr LBRACK slice RBRACK                                                # sliceExpr
    | op='-' expr                                                       # negateExpr
    | expr op=('*' | '/') expr                                          # binaryExpr
    | expr op=('+' | '-') expr                                          # binaryExpr
    | expr '->' expr                                                    # arrowExpr
    | call                                                              # callExpr
    | ID                                                                # nameExpr
    | number                                                            # numberExpr
    | STRING                                                            # stringExpr
    | LPAREN expr RPAREN                                                      # parenExpr
    ;

call
    : callee=ID LPAREN (argument (',' argument)*)? RPAREN
    ;

argument
    : (name=ID '=')? expr
    ;

// h[0:20], h[20:], h[:20], h[3]
slice
    : from=INT? colon=':' to=INT?
    | index=INT
    ;

number
    : INT
    | FLOAT
    ;

signedNumber
    : '-'? number
    ;

sep
    : NEWLINE
    | ';'
    ;

INT     : [0-9]+ ;
FLOAT   : [0-9]+ '.' [0-9]* EXPONENT? | '.' [0-9]+ EXPONENT? | [0-9]+ EXPONENT ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;
ID      : [a-zA-Z_] [a-zA-Z_0-9]* ;
STRING  : '"' (~["\\\r\n] | '\\' .)* '"' ;
LPAREN  : '(' { nesting++; } ;
RPAREN  : ')' { if (nesting > 0) nesting--; } ;
LBRACK  : '[' { nesting++; } ;
RBRACK  : ']' { if (nesting > 0) nesting--; } ;
NEWLINE : '\r'? '\n' { if (nesting > 0) skip(); } ;
LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS      : [ \t]+ -> skip ;
// Anything else is reported by the lexer with its position.
ERROR_CHAR : . ;
